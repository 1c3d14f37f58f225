/** The shape of an entry of the op-code tables in native-ops.ts (generated from native/ops.manifest). */

/** A tfjs kernel attribute passed to the addon as an op parameter, and its default. */
export interface OpParam {
  readonly attr: string;
  readonly default?: number;
}

/** An op's code and its parameters (`p0`, `p1`, ... in order). */
export interface OpCode {
  readonly code: number;
  readonly params: readonly OpParam[];
}
