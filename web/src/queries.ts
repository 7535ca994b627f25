import { graphql } from "./gql";

// Every operation of the app, in one place: graphql-codegen turns each into a typed
// document (src/gql), so a field the API renames breaks `tsc`, not a user's screen.
// Each shape the screens show (an alert's badge, a bell, a customer's row, a change...)
// is one fragment, spread wherever it is shown; codegen adds the fragments an operation
// spreads to its document, and so to the text the persisted-query exchange hashes.

/** An alert where it is named: a bell's entry, a change, a square of colour. */
export const AlertBadge = graphql(`
  fragment AlertBadge on Alert {
    id
    name
    type
    level
    color
    locked
  }
`);

/** A customer where it is named: its account number, linking to its file, and name. */
export const CustomerLink = graphql(`
  fragment CustomerLink on Customer {
    id
    accountNumber
    name
  }
`);

export const PageFields = graphql(`
  fragment PageFields on PageInfo {
    hasNextPage
    hasPreviousPage
    startCursor
    endCursor
  }
`);

export const ErrorFields = graphql(`
  fragment ErrorFields on UserError {
    code
    field
    message
  }
`);

export const BellFields = graphql(`
  fragment BellFields on Bell {
    count
    level
    color
    entries {
      since
      isNew
      alert {
        ...AlertBadge
      }
    }
  }
`);

export const ChangeRow = graphql(`
  fragment ChangeRow on AlertChange {
    id
    kind
    at
    day
    cause
  }
`);

export const AlertFields = graphql(`
  fragment AlertFields on Alert {
    id
    name
    type
    level
    color
    ownColor
    visibility
    locked
    version
    canEdit
    matchCount
    newCount
    seenAt
    problems
    owner {
      id
      name
    }
  }
`);

/** An alert as the editor reads it back: its criteria too. */
export const AlertWithCriteria = graphql(`
  fragment AlertWithCriteria on Alert {
    ...AlertFields
    criteria
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      id
      name
      role
      collector
    }
    today
    levels {
      level
      color
    }
  }
`);

export const AlertsQuery = graphql(`
  query Alerts($tab: AlertTab) {
    alerts(tab: $tab) {
      ...AlertFields
    }
  }
`);

export const CustomerRow = graphql(`
  fragment CustomerRow on Customer {
    ...CustomerLink
    collector
    outstandingAmount
    overdueAmount
    notDueAmount
    disputedAmount
    uncoveredAmount
    creditLimitExcess
    daysOverdue
    lastReminderDate
    lastPaymentDate
    bell(tab: $tab) {
      ...BellFields
    }
  }
`);

export const WorklistQuery = graphql(`
  query Worklist(
    $tab: AlertTab
    $first: Int
    $after: String
    $last: Int
    $before: String
    $search: String
    $where: CriteriaInput
    $alertId: ID
    $orderBy: [CustomerOrder!]
    $bell: BellFilter
  ) {
    customers(
      bell: $bell
      first: $first
      after: $after
      last: $last
      before: $before
      search: $search
      where: $where
      alertId: $alertId
      orderBy: $orderBy
    ) {
      totalCount
      pageInfo {
        ...PageFields
      }
      nodes {
        ...CustomerRow
      }
    }
  }
`);

export const CountQuery = graphql(`
  query MatchingCount($where: CriteriaInput) {
    customers(first: 1, where: $where) {
      totalCount
    }
  }
`);

export const CriteriaQuery = graphql(`
  query Criteria {
    criteria {
      key
      label
      description
      scope
      kind
      inputType
      unit
      values
      example
    }
  }
`);

export const AlertPageQuery = graphql(`
  query AlertPage($id: ID!, $tab: AlertTab, $after: String, $days: Int!) {
    alert(id: $id) {
      ...AlertWithCriteria
      matchCountHistory(days: $days) {
        date
        count
      }
      customers(first: 50, after: $after) {
        totalCount
        pageInfo {
          ...PageFields
        }
        nodes {
          ...CustomerRow
        }
      }
      changes(first: 50) {
        totalCount
        nodes {
          ...ChangeRow
          customer {
            ...CustomerLink
          }
        }
      }
    }
  }
`);

export const AlertForEditQuery = graphql(`
  query AlertForEdit($id: ID!) {
    alert(id: $id) {
      ...AlertWithCriteria
    }
  }
`);

export const ChangesQuery = graphql(`
  query Changes($since: DateTime, $tab: AlertTab, $after: String) {
    alertChanges(first: 100, since: $since, tab: $tab, after: $after) {
      totalCount
      pageInfo {
        ...PageFields
      }
      nodes {
        ...ChangeRow
        alert {
          ...AlertBadge
        }
        customer {
          ...CustomerLink
        }
      }
    }
  }
`);

export const CustomerQuery = graphql(`
  query CustomerFile(
    $id: ID!
    $tab: AlertTab
    $itemsWhere: CriteriaInput
    $itemsOrder: [ItemOrder!]
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    customer(id: $id) {
      ...CustomerRow
      group
      country
      status
      blocked
      creditLimit
      insurerGuarantee
      attributes
      items(first: $first, after: $after, last: $last, before: $before, where: $itemsWhere, orderBy: $itemsOrder) {
        totalCount
        pageInfo {
          ...PageFields
        }
        nodes {
          ...ItemRow
        }
      }
      reminders {
        id
        date
        channel
        note
        loggedBy
      }
      alertChanges(first: 100) {
        totalCount
        nodes {
          ...ChangeRow
          alert {
            ...AlertBadge
          }
        }
      }
    }
  }
`);

export const ItemRow = graphql(`
  fragment ItemRow on Item {
    id
    documentNumber
    type
    documentDate
    dueDate
    amount
    openAmount
    disputed
    ignoredInCollection
    overdue
  }
`);

export const ItemsSearchQuery = graphql(`
  query ItemsSearch($where: CriteriaInput, $search: String, $after: String, $orderBy: [ItemOrder!]) {
    items(first: 50, after: $after, where: $where, search: $search, orderBy: $orderBy) {
      totalCount
      pageInfo {
        ...PageFields
      }
      nodes {
        ...ItemRow
        customer {
          ...CustomerLink
        }
      }
    }
  }
`);

export const CreateAlert = graphql(`
  mutation CreateAlert($input: AlertInput!) {
    createAlert(input: $input) {
      alert {
        ...AlertWithCriteria
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const UpdateAlert = graphql(`
  mutation UpdateAlert($id: ID!, $input: AlertInput!, $expectedVersion: Int) {
    updateAlert(id: $id, input: $input, expectedVersion: $expectedVersion) {
      alert {
        ...AlertWithCriteria
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const DeleteAlert = graphql(`
  mutation DeleteAlert($id: ID!) {
    deleteAlert(id: $id) {
      deletedId
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const MarkAlertSeen = graphql(`
  mutation MarkAlertSeen($id: ID!) {
    markAlertSeen(id: $id) {
      alert {
        id
        newCount
        seenAt
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const MarkAllSeen = graphql(`
  mutation MarkAllSeen($tab: AlertTab) {
    markAllAlertsSeen(tab: $tab)
  }
`);

export const LogReminder = graphql(`
  mutation LogReminder($input: ReminderInput!) {
    logReminder(input: $input) {
      reminder {
        id
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const DeleteReminder = graphql(`
  mutation DeleteReminder($id: ID!) {
    deleteReminder(id: $id) {
      errors {
        ...ErrorFields
      }
    }
  }
`);
