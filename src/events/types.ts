/** The kinds of destination a bucket notification can target. */
export type DestinationKind = 'queue' | 'topic' | 'lambda';

export interface FilterRule {
  /** Stored as AWS returns it: `Prefix` or `Suffix`. */
  name: string;
  value: string;
}

export interface DestinationConfiguration {
  kind: DestinationKind;
  id: string;
  arn: string;
  events: string[];
  filterRules: FilterRule[];
}

/** A bucket's notification configuration, in the shape it is stored and served. */
export interface NotificationConfiguration {
  destinations: DestinationConfiguration[];
  eventBridge: boolean;
}
