/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment AlertBadge on Alert {\n    id\n    name\n    type\n    level\n    color\n    locked\n  }\n": typeof types.AlertBadgeFragmentDoc,
    "\n  fragment CustomerLink on Customer {\n    id\n    accountNumber\n    name\n  }\n": typeof types.CustomerLinkFragmentDoc,
    "\n  fragment PageFields on PageInfo {\n    hasNextPage\n    hasPreviousPage\n    startCursor\n    endCursor\n  }\n": typeof types.PageFieldsFragmentDoc,
    "\n  fragment ErrorFields on UserError {\n    code\n    field\n    message\n  }\n": typeof types.ErrorFieldsFragmentDoc,
    "\n  fragment BellFields on Bell {\n    count\n    level\n    color\n    entries {\n      since\n      isNew\n      alert {\n        ...AlertBadge\n      }\n    }\n  }\n": typeof types.BellFieldsFragmentDoc,
    "\n  fragment ChangeRow on AlertChange {\n    id\n    kind\n    at\n    day\n    cause\n  }\n": typeof types.ChangeRowFragmentDoc,
    "\n  fragment AlertFields on Alert {\n    id\n    name\n    type\n    level\n    color\n    ownColor\n    visibility\n    locked\n    version\n    canEdit\n    matchCount\n    newCount\n    seenAt\n    problems\n    owner {\n      id\n      name\n    }\n  }\n": typeof types.AlertFieldsFragmentDoc,
    "\n  fragment AlertWithCriteria on Alert {\n    ...AlertFields\n    criteria\n  }\n": typeof types.AlertWithCriteriaFragmentDoc,
    "\n  query Me {\n    me {\n      id\n      name\n      role\n      collector\n    }\n    today\n    levels {\n      level\n      color\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Alerts($tab: AlertTab) {\n    alerts(tab: $tab) {\n      ...AlertFields\n    }\n  }\n": typeof types.AlertsDocument,
    "\n  fragment CustomerRow on Customer {\n    ...CustomerLink\n    collector\n    outstandingAmount\n    overdueAmount\n    notDueAmount\n    disputedAmount\n    uncoveredAmount\n    creditLimitExcess\n    daysOverdue\n    lastReminderDate\n    lastPaymentDate\n    bell(tab: $tab) {\n      ...BellFields\n    }\n  }\n": typeof types.CustomerRowFragmentDoc,
    "\n  query Worklist(\n    $tab: AlertTab\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $search: String\n    $where: CriteriaInput\n    $alertId: ID\n    $orderBy: [CustomerOrder!]\n    $bell: BellFilter\n  ) {\n    customers(\n      bell: $bell\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      search: $search\n      where: $where\n      alertId: $alertId\n      orderBy: $orderBy\n    ) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...CustomerRow\n      }\n    }\n  }\n": typeof types.WorklistDocument,
    "\n  query MatchingCount($where: CriteriaInput) {\n    customers(first: 1, where: $where) {\n      totalCount\n    }\n  }\n": typeof types.MatchingCountDocument,
    "\n  query Criteria {\n    criteria {\n      key\n      label\n      description\n      scope\n      kind\n      inputType\n      unit\n      values\n      example\n    }\n  }\n": typeof types.CriteriaDocument,
    "\n  query AlertPage($id: ID!, $tab: AlertTab, $after: String, $days: Int!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n      matchCountHistory(days: $days) {\n        date\n        count\n      }\n      customers(first: 50, after: $after) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...CustomerRow\n        }\n      }\n      changes(first: 50) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          customer {\n            ...CustomerLink\n          }\n        }\n      }\n    }\n  }\n": typeof types.AlertPageDocument,
    "\n  query AlertForEdit($id: ID!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n    }\n  }\n": typeof types.AlertForEditDocument,
    "\n  query Changes($since: DateTime, $tab: AlertTab, $after: String) {\n    alertChanges(first: 100, since: $since, tab: $tab, after: $after) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ChangeRow\n        alert {\n          ...AlertBadge\n        }\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n": typeof types.ChangesDocument,
    "\n  query CustomerFile(\n    $id: ID!\n    $tab: AlertTab\n    $itemsWhere: CriteriaInput\n    $itemsOrder: [ItemOrder!]\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    customer(id: $id) {\n      ...CustomerRow\n      group\n      country\n      status\n      blocked\n      creditLimit\n      insurerGuarantee\n      attributes\n      items(first: $first, after: $after, last: $last, before: $before, where: $itemsWhere, orderBy: $itemsOrder) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...ItemRow\n        }\n      }\n      reminders {\n        id\n        date\n        channel\n        note\n        loggedBy\n      }\n      alertChanges(first: 100) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          alert {\n            ...AlertBadge\n          }\n        }\n      }\n    }\n  }\n": typeof types.CustomerFileDocument,
    "\n  fragment ItemRow on Item {\n    id\n    documentNumber\n    type\n    documentDate\n    dueDate\n    amount\n    openAmount\n    disputed\n    ignoredInCollection\n    overdue\n  }\n": typeof types.ItemRowFragmentDoc,
    "\n  query ItemsSearch($where: CriteriaInput, $search: String, $after: String, $orderBy: [ItemOrder!]) {\n    items(first: 50, after: $after, where: $where, search: $search, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ItemRow\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n": typeof types.ItemsSearchDocument,
    "\n  mutation CreateAlert($input: AlertInput!) {\n    createAlert(input: $input) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": typeof types.CreateAlertDocument,
    "\n  mutation UpdateAlert($id: ID!, $input: AlertInput!, $expectedVersion: Int) {\n    updateAlert(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": typeof types.UpdateAlertDocument,
    "\n  mutation DeleteAlert($id: ID!) {\n    deleteAlert(id: $id) {\n      deletedId\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": typeof types.DeleteAlertDocument,
    "\n  mutation MarkAlertSeen($id: ID!) {\n    markAlertSeen(id: $id) {\n      alert {\n        id\n        newCount\n        seenAt\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": typeof types.MarkAlertSeenDocument,
    "\n  mutation MarkAllSeen($tab: AlertTab) {\n    markAllAlertsSeen(tab: $tab)\n  }\n": typeof types.MarkAllSeenDocument,
    "\n  mutation LogReminder($input: ReminderInput!) {\n    logReminder(input: $input) {\n      reminder {\n        id\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": typeof types.LogReminderDocument,
    "\n  mutation DeleteReminder($id: ID!) {\n    deleteReminder(id: $id) {\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": typeof types.DeleteReminderDocument,
};
const documents: Documents = {
    "\n  fragment AlertBadge on Alert {\n    id\n    name\n    type\n    level\n    color\n    locked\n  }\n": types.AlertBadgeFragmentDoc,
    "\n  fragment CustomerLink on Customer {\n    id\n    accountNumber\n    name\n  }\n": types.CustomerLinkFragmentDoc,
    "\n  fragment PageFields on PageInfo {\n    hasNextPage\n    hasPreviousPage\n    startCursor\n    endCursor\n  }\n": types.PageFieldsFragmentDoc,
    "\n  fragment ErrorFields on UserError {\n    code\n    field\n    message\n  }\n": types.ErrorFieldsFragmentDoc,
    "\n  fragment BellFields on Bell {\n    count\n    level\n    color\n    entries {\n      since\n      isNew\n      alert {\n        ...AlertBadge\n      }\n    }\n  }\n": types.BellFieldsFragmentDoc,
    "\n  fragment ChangeRow on AlertChange {\n    id\n    kind\n    at\n    day\n    cause\n  }\n": types.ChangeRowFragmentDoc,
    "\n  fragment AlertFields on Alert {\n    id\n    name\n    type\n    level\n    color\n    ownColor\n    visibility\n    locked\n    version\n    canEdit\n    matchCount\n    newCount\n    seenAt\n    problems\n    owner {\n      id\n      name\n    }\n  }\n": types.AlertFieldsFragmentDoc,
    "\n  fragment AlertWithCriteria on Alert {\n    ...AlertFields\n    criteria\n  }\n": types.AlertWithCriteriaFragmentDoc,
    "\n  query Me {\n    me {\n      id\n      name\n      role\n      collector\n    }\n    today\n    levels {\n      level\n      color\n    }\n  }\n": types.MeDocument,
    "\n  query Alerts($tab: AlertTab) {\n    alerts(tab: $tab) {\n      ...AlertFields\n    }\n  }\n": types.AlertsDocument,
    "\n  fragment CustomerRow on Customer {\n    ...CustomerLink\n    collector\n    outstandingAmount\n    overdueAmount\n    notDueAmount\n    disputedAmount\n    uncoveredAmount\n    creditLimitExcess\n    daysOverdue\n    lastReminderDate\n    lastPaymentDate\n    bell(tab: $tab) {\n      ...BellFields\n    }\n  }\n": types.CustomerRowFragmentDoc,
    "\n  query Worklist(\n    $tab: AlertTab\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $search: String\n    $where: CriteriaInput\n    $alertId: ID\n    $orderBy: [CustomerOrder!]\n    $bell: BellFilter\n  ) {\n    customers(\n      bell: $bell\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      search: $search\n      where: $where\n      alertId: $alertId\n      orderBy: $orderBy\n    ) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...CustomerRow\n      }\n    }\n  }\n": types.WorklistDocument,
    "\n  query MatchingCount($where: CriteriaInput) {\n    customers(first: 1, where: $where) {\n      totalCount\n    }\n  }\n": types.MatchingCountDocument,
    "\n  query Criteria {\n    criteria {\n      key\n      label\n      description\n      scope\n      kind\n      inputType\n      unit\n      values\n      example\n    }\n  }\n": types.CriteriaDocument,
    "\n  query AlertPage($id: ID!, $tab: AlertTab, $after: String, $days: Int!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n      matchCountHistory(days: $days) {\n        date\n        count\n      }\n      customers(first: 50, after: $after) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...CustomerRow\n        }\n      }\n      changes(first: 50) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          customer {\n            ...CustomerLink\n          }\n        }\n      }\n    }\n  }\n": types.AlertPageDocument,
    "\n  query AlertForEdit($id: ID!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n    }\n  }\n": types.AlertForEditDocument,
    "\n  query Changes($since: DateTime, $tab: AlertTab, $after: String) {\n    alertChanges(first: 100, since: $since, tab: $tab, after: $after) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ChangeRow\n        alert {\n          ...AlertBadge\n        }\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n": types.ChangesDocument,
    "\n  query CustomerFile(\n    $id: ID!\n    $tab: AlertTab\n    $itemsWhere: CriteriaInput\n    $itemsOrder: [ItemOrder!]\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    customer(id: $id) {\n      ...CustomerRow\n      group\n      country\n      status\n      blocked\n      creditLimit\n      insurerGuarantee\n      attributes\n      items(first: $first, after: $after, last: $last, before: $before, where: $itemsWhere, orderBy: $itemsOrder) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...ItemRow\n        }\n      }\n      reminders {\n        id\n        date\n        channel\n        note\n        loggedBy\n      }\n      alertChanges(first: 100) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          alert {\n            ...AlertBadge\n          }\n        }\n      }\n    }\n  }\n": types.CustomerFileDocument,
    "\n  fragment ItemRow on Item {\n    id\n    documentNumber\n    type\n    documentDate\n    dueDate\n    amount\n    openAmount\n    disputed\n    ignoredInCollection\n    overdue\n  }\n": types.ItemRowFragmentDoc,
    "\n  query ItemsSearch($where: CriteriaInput, $search: String, $after: String, $orderBy: [ItemOrder!]) {\n    items(first: 50, after: $after, where: $where, search: $search, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ItemRow\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n": types.ItemsSearchDocument,
    "\n  mutation CreateAlert($input: AlertInput!) {\n    createAlert(input: $input) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": types.CreateAlertDocument,
    "\n  mutation UpdateAlert($id: ID!, $input: AlertInput!, $expectedVersion: Int) {\n    updateAlert(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": types.UpdateAlertDocument,
    "\n  mutation DeleteAlert($id: ID!) {\n    deleteAlert(id: $id) {\n      deletedId\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": types.DeleteAlertDocument,
    "\n  mutation MarkAlertSeen($id: ID!) {\n    markAlertSeen(id: $id) {\n      alert {\n        id\n        newCount\n        seenAt\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": types.MarkAlertSeenDocument,
    "\n  mutation MarkAllSeen($tab: AlertTab) {\n    markAllAlertsSeen(tab: $tab)\n  }\n": types.MarkAllSeenDocument,
    "\n  mutation LogReminder($input: ReminderInput!) {\n    logReminder(input: $input) {\n      reminder {\n        id\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": types.LogReminderDocument,
    "\n  mutation DeleteReminder($id: ID!) {\n    deleteReminder(id: $id) {\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n": types.DeleteReminderDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlertBadge on Alert {\n    id\n    name\n    type\n    level\n    color\n    locked\n  }\n"): (typeof documents)["\n  fragment AlertBadge on Alert {\n    id\n    name\n    type\n    level\n    color\n    locked\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CustomerLink on Customer {\n    id\n    accountNumber\n    name\n  }\n"): (typeof documents)["\n  fragment CustomerLink on Customer {\n    id\n    accountNumber\n    name\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PageFields on PageInfo {\n    hasNextPage\n    hasPreviousPage\n    startCursor\n    endCursor\n  }\n"): (typeof documents)["\n  fragment PageFields on PageInfo {\n    hasNextPage\n    hasPreviousPage\n    startCursor\n    endCursor\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ErrorFields on UserError {\n    code\n    field\n    message\n  }\n"): (typeof documents)["\n  fragment ErrorFields on UserError {\n    code\n    field\n    message\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BellFields on Bell {\n    count\n    level\n    color\n    entries {\n      since\n      isNew\n      alert {\n        ...AlertBadge\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment BellFields on Bell {\n    count\n    level\n    color\n    entries {\n      since\n      isNew\n      alert {\n        ...AlertBadge\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ChangeRow on AlertChange {\n    id\n    kind\n    at\n    day\n    cause\n  }\n"): (typeof documents)["\n  fragment ChangeRow on AlertChange {\n    id\n    kind\n    at\n    day\n    cause\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlertFields on Alert {\n    id\n    name\n    type\n    level\n    color\n    ownColor\n    visibility\n    locked\n    version\n    canEdit\n    matchCount\n    newCount\n    seenAt\n    problems\n    owner {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment AlertFields on Alert {\n    id\n    name\n    type\n    level\n    color\n    ownColor\n    visibility\n    locked\n    version\n    canEdit\n    matchCount\n    newCount\n    seenAt\n    problems\n    owner {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlertWithCriteria on Alert {\n    ...AlertFields\n    criteria\n  }\n"): (typeof documents)["\n  fragment AlertWithCriteria on Alert {\n    ...AlertFields\n    criteria\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      role\n      collector\n    }\n    today\n    levels {\n      level\n      color\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      name\n      role\n      collector\n    }\n    today\n    levels {\n      level\n      color\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Alerts($tab: AlertTab) {\n    alerts(tab: $tab) {\n      ...AlertFields\n    }\n  }\n"): (typeof documents)["\n  query Alerts($tab: AlertTab) {\n    alerts(tab: $tab) {\n      ...AlertFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CustomerRow on Customer {\n    ...CustomerLink\n    collector\n    outstandingAmount\n    overdueAmount\n    notDueAmount\n    disputedAmount\n    uncoveredAmount\n    creditLimitExcess\n    daysOverdue\n    lastReminderDate\n    lastPaymentDate\n    bell(tab: $tab) {\n      ...BellFields\n    }\n  }\n"): (typeof documents)["\n  fragment CustomerRow on Customer {\n    ...CustomerLink\n    collector\n    outstandingAmount\n    overdueAmount\n    notDueAmount\n    disputedAmount\n    uncoveredAmount\n    creditLimitExcess\n    daysOverdue\n    lastReminderDate\n    lastPaymentDate\n    bell(tab: $tab) {\n      ...BellFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Worklist(\n    $tab: AlertTab\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $search: String\n    $where: CriteriaInput\n    $alertId: ID\n    $orderBy: [CustomerOrder!]\n    $bell: BellFilter\n  ) {\n    customers(\n      bell: $bell\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      search: $search\n      where: $where\n      alertId: $alertId\n      orderBy: $orderBy\n    ) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...CustomerRow\n      }\n    }\n  }\n"): (typeof documents)["\n  query Worklist(\n    $tab: AlertTab\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $search: String\n    $where: CriteriaInput\n    $alertId: ID\n    $orderBy: [CustomerOrder!]\n    $bell: BellFilter\n  ) {\n    customers(\n      bell: $bell\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      search: $search\n      where: $where\n      alertId: $alertId\n      orderBy: $orderBy\n    ) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...CustomerRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MatchingCount($where: CriteriaInput) {\n    customers(first: 1, where: $where) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query MatchingCount($where: CriteriaInput) {\n    customers(first: 1, where: $where) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Criteria {\n    criteria {\n      key\n      label\n      description\n      scope\n      kind\n      inputType\n      unit\n      values\n      example\n    }\n  }\n"): (typeof documents)["\n  query Criteria {\n    criteria {\n      key\n      label\n      description\n      scope\n      kind\n      inputType\n      unit\n      values\n      example\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertPage($id: ID!, $tab: AlertTab, $after: String, $days: Int!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n      matchCountHistory(days: $days) {\n        date\n        count\n      }\n      customers(first: 50, after: $after) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...CustomerRow\n        }\n      }\n      changes(first: 50) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          customer {\n            ...CustomerLink\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AlertPage($id: ID!, $tab: AlertTab, $after: String, $days: Int!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n      matchCountHistory(days: $days) {\n        date\n        count\n      }\n      customers(first: 50, after: $after) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...CustomerRow\n        }\n      }\n      changes(first: 50) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          customer {\n            ...CustomerLink\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertForEdit($id: ID!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n    }\n  }\n"): (typeof documents)["\n  query AlertForEdit($id: ID!) {\n    alert(id: $id) {\n      ...AlertWithCriteria\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Changes($since: DateTime, $tab: AlertTab, $after: String) {\n    alertChanges(first: 100, since: $since, tab: $tab, after: $after) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ChangeRow\n        alert {\n          ...AlertBadge\n        }\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Changes($since: DateTime, $tab: AlertTab, $after: String) {\n    alertChanges(first: 100, since: $since, tab: $tab, after: $after) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ChangeRow\n        alert {\n          ...AlertBadge\n        }\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerFile(\n    $id: ID!\n    $tab: AlertTab\n    $itemsWhere: CriteriaInput\n    $itemsOrder: [ItemOrder!]\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    customer(id: $id) {\n      ...CustomerRow\n      group\n      country\n      status\n      blocked\n      creditLimit\n      insurerGuarantee\n      attributes\n      items(first: $first, after: $after, last: $last, before: $before, where: $itemsWhere, orderBy: $itemsOrder) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...ItemRow\n        }\n      }\n      reminders {\n        id\n        date\n        channel\n        note\n        loggedBy\n      }\n      alertChanges(first: 100) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          alert {\n            ...AlertBadge\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CustomerFile(\n    $id: ID!\n    $tab: AlertTab\n    $itemsWhere: CriteriaInput\n    $itemsOrder: [ItemOrder!]\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    customer(id: $id) {\n      ...CustomerRow\n      group\n      country\n      status\n      blocked\n      creditLimit\n      insurerGuarantee\n      attributes\n      items(first: $first, after: $after, last: $last, before: $before, where: $itemsWhere, orderBy: $itemsOrder) {\n        totalCount\n        pageInfo {\n          ...PageFields\n        }\n        nodes {\n          ...ItemRow\n        }\n      }\n      reminders {\n        id\n        date\n        channel\n        note\n        loggedBy\n      }\n      alertChanges(first: 100) {\n        totalCount\n        nodes {\n          ...ChangeRow\n          alert {\n            ...AlertBadge\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ItemRow on Item {\n    id\n    documentNumber\n    type\n    documentDate\n    dueDate\n    amount\n    openAmount\n    disputed\n    ignoredInCollection\n    overdue\n  }\n"): (typeof documents)["\n  fragment ItemRow on Item {\n    id\n    documentNumber\n    type\n    documentDate\n    dueDate\n    amount\n    openAmount\n    disputed\n    ignoredInCollection\n    overdue\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ItemsSearch($where: CriteriaInput, $search: String, $after: String, $orderBy: [ItemOrder!]) {\n    items(first: 50, after: $after, where: $where, search: $search, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ItemRow\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ItemsSearch($where: CriteriaInput, $search: String, $after: String, $orderBy: [ItemOrder!]) {\n    items(first: 50, after: $after, where: $where, search: $search, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        ...PageFields\n      }\n      nodes {\n        ...ItemRow\n        customer {\n          ...CustomerLink\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAlert($input: AlertInput!) {\n    createAlert(input: $input) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateAlert($input: AlertInput!) {\n    createAlert(input: $input) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAlert($id: ID!, $input: AlertInput!, $expectedVersion: Int) {\n    updateAlert(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateAlert($id: ID!, $input: AlertInput!, $expectedVersion: Int) {\n    updateAlert(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      alert {\n        ...AlertWithCriteria\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAlert($id: ID!) {\n    deleteAlert(id: $id) {\n      deletedId\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteAlert($id: ID!) {\n    deleteAlert(id: $id) {\n      deletedId\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAlertSeen($id: ID!) {\n    markAlertSeen(id: $id) {\n      alert {\n        id\n        newCount\n        seenAt\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation MarkAlertSeen($id: ID!) {\n    markAlertSeen(id: $id) {\n      alert {\n        id\n        newCount\n        seenAt\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllSeen($tab: AlertTab) {\n    markAllAlertsSeen(tab: $tab)\n  }\n"): (typeof documents)["\n  mutation MarkAllSeen($tab: AlertTab) {\n    markAllAlertsSeen(tab: $tab)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogReminder($input: ReminderInput!) {\n    logReminder(input: $input) {\n      reminder {\n        id\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LogReminder($input: ReminderInput!) {\n    logReminder(input: $input) {\n      reminder {\n        id\n      }\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteReminder($id: ID!) {\n    deleteReminder(id: $id) {\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteReminder($id: ID!) {\n    deleteReminder(id: $id) {\n      errors {\n        ...ErrorFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;