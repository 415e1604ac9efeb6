/**
 * The condition operators of IAM's "Condition operators" page, and how an operator name in a
 * policy (`ForAnyValue:StringLikeIfExists`) breaks down into a set qualifier, a base operator
 * and the `IfExists` suffix.
 */

export type OperatorFamily =
  'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';

export interface BaseOperator {
  family: OperatorFamily;
  /**
   * A negated operator is the NOT of its positive twin: with several policy values it is
   * true only when none of them matches (NOR), and a missing key makes it true.
   */
  negated: boolean;
  /** The positive comparison for String and Numeric/Date operators. */
  compare:
    | 'Equals'
    | 'EqualsIgnoreCase'
    | 'Like'
    | 'LessThan'
    | 'LessThanEquals'
    | 'GreaterThan'
    | 'GreaterThanEquals';
}

const op = (
  family: OperatorFamily,
  compare: BaseOperator['compare'],
  negated = false,
): BaseOperator => ({
  family,
  compare,
  negated,
});

export const BASE_OPERATORS: Readonly<Record<string, BaseOperator>> = {
  StringEquals: op('String', 'Equals'),
  StringNotEquals: op('String', 'Equals', true),
  StringEqualsIgnoreCase: op('String', 'EqualsIgnoreCase'),
  StringNotEqualsIgnoreCase: op('String', 'EqualsIgnoreCase', true),
  StringLike: op('String', 'Like'),
  StringNotLike: op('String', 'Like', true),
  NumericEquals: op('Numeric', 'Equals'),
  NumericNotEquals: op('Numeric', 'Equals', true),
  NumericLessThan: op('Numeric', 'LessThan'),
  NumericLessThanEquals: op('Numeric', 'LessThanEquals'),
  NumericGreaterThan: op('Numeric', 'GreaterThan'),
  NumericGreaterThanEquals: op('Numeric', 'GreaterThanEquals'),
  DateEquals: op('Date', 'Equals'),
  DateNotEquals: op('Date', 'Equals', true),
  DateLessThan: op('Date', 'LessThan'),
  DateLessThanEquals: op('Date', 'LessThanEquals'),
  DateGreaterThan: op('Date', 'GreaterThan'),
  DateGreaterThanEquals: op('Date', 'GreaterThanEquals'),
  Bool: op('Bool', 'Equals'),
  BinaryEquals: op('Binary', 'Equals'),
  IpAddress: op('Ip', 'Equals'),
  NotIpAddress: op('Ip', 'Equals', true),
  // IAM documents ArnEquals and ArnLike as behaving identically, and so their negations.
  ArnEquals: op('Arn', 'Like'),
  ArnLike: op('Arn', 'Like'),
  ArnNotEquals: op('Arn', 'Like', true),
  ArnNotLike: op('Arn', 'Like', true),
  Null: op('Null', 'Equals'),
};

export interface ParsedOperator {
  set?: 'ForAllValues' | 'ForAnyValue';
  base: BaseOperator;
  name: string;
  ifExists: boolean;
}

/**
 * Reads an operator name as written in a policy, or undefined when IAM would not know it.
 * `Null` takes no `IfExists`: it already tests for presence.
 *
 * @example
 * parseOperator('ForAnyValue:StringLikeIfExists');
 * // { set: 'ForAnyValue', name: 'StringLike', ifExists: true, base: … }
 */
export function parseOperator(written: string): ParsedOperator | undefined {
  let rest = written;
  let set: ParsedOperator['set'];
  for (const prefix of ['ForAllValues', 'ForAnyValue'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
      break;
    }
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  const name = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const base = Object.hasOwn(BASE_OPERATORS, name) ? BASE_OPERATORS[name] : undefined;
  if (!base || (base.family === 'Null' && (ifExists || set))) return undefined;
  return { ...(set ? { set } : {}), base, name, ifExists };
}
