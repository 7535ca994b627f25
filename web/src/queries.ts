import { graphql } from "./gql";

// Every operation of the app, in one place: graphql-codegen turns each into a typed
// document (src/gql), so a field the API renames breaks `tsc`, not a user's screen.

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
    id
    accountNumber
    name
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
      count
      level
      color
      entries {
        since
        isNew
        alert {
          id
          name
          type
          level
          color
          locked
        }
      }
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
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
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
      ...AlertFields
      criteria
      matchCountHistory(days: $days) {
        date
        count
      }
      customers(first: 50, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...CustomerRow
        }
      }
      changes(first: 50) {
        totalCount
        nodes {
          id
          kind
          at
          day
          cause
          customer {
            id
            accountNumber
            name
          }
        }
      }
    }
  }
`);

export const AlertForEditQuery = graphql(`
  query AlertForEdit($id: ID!) {
    alert(id: $id) {
      ...AlertFields
      criteria
    }
  }
`);

export const ChangesQuery = graphql(`
  query Changes($since: DateTime, $tab: AlertTab, $after: String) {
    alertChanges(first: 100, since: $since, tab: $tab, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        kind
        at
        day
        cause
        alert {
          id
          name
          type
          color
          locked
        }
        customer {
          id
          accountNumber
          name
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
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
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
          id
          kind
          at
          cause
          alert {
            id
            name
            type
            color
            locked
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
        hasNextPage
        endCursor
      }
      nodes {
        ...ItemRow
        customer {
          id
          accountNumber
          name
        }
      }
    }
  }
`);

export const CreateAlert = graphql(`
  mutation CreateAlert($input: AlertInput!) {
    createAlert(input: $input) {
      alert {
        ...AlertFields
        criteria
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

export const UpdateAlert = graphql(`
  mutation UpdateAlert($id: ID!, $input: AlertInput!, $expectedVersion: Int) {
    updateAlert(id: $id, input: $input, expectedVersion: $expectedVersion) {
      alert {
        ...AlertFields
        criteria
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

export const DeleteAlert = graphql(`
  mutation DeleteAlert($id: ID!) {
    deleteAlert(id: $id) {
      deletedId
      errors {
        code
        field
        message
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
        code
        message
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
        code
        field
        message
      }
    }
  }
`);

export const DeleteReminder = graphql(`
  mutation DeleteReminder($id: ID!) {
    deleteReminder(id: $id) {
      errors {
        code
        message
      }
    }
  }
`);
