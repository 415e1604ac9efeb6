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

/**
 * What the S3 API asks of the notification system when a bucket's configuration is put.
 * Implemented by the delivery side (src/delivery); the S3 layer only calls it.
 */
export interface NotificationDestinations {
  /**
   * Why `arn` cannot receive this bucket's events, in S3's words (for example
   * `The destination queue does not exist`), or undefined when it can.
   */
  problemWith(kind: DestinationKind, arn: string, bucket: string): string | undefined;
  /**
   * Called after a configuration is stored, with the destinations that were not in the
   * previous one: S3 sends each of them an `s3:TestEvent`.
   */
  configurationStored(
    bucket: string,
    added: readonly DestinationConfiguration[],
    ids: { requestId: string; hostId: string },
  ): void;
}
