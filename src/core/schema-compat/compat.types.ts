/** SPEC §12: the seven compatibility modes; `*_TRANSITIVE` is the caller's loop over versions. */
export type CompatMode =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

/** SPEC §12: `lenient` restricts the writer's values to objects using only names its schema names. */
export type CompatPolicy = 'strict' | 'lenient';

export interface CompatViolation {
  /** JSON Pointer into the schema whose constraint rejects some values (the reader's: `sup`). */
  readonly path: string;
  /** kebab-case change name, e.g. `property-added`, `required-added`, `undecided`. */
  readonly change: string;
  readonly message: string;
}

export type Dialect = '2020-12' | 'draft-07';

export interface SchemaDoc {
  /** The JSON Schema document (object or boolean). */
  readonly schema: unknown;
  readonly dialect: Dialect;
  /** Resolved external references: URI -> document (SPEC §12 `references[]`). */
  readonly references?: ReadonlyMap<string, unknown>;
}
