import {
  OperationNodeTransformer,
  SchemableIdentifierNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { Db } from './types.ts';

/** The live read schema, and the shadow schema a rebuild fills before swapping it in. */
export const LIVE_SCHEMA = 'read';
export const SHADOW_SCHEMA = 'read_next';

class RenameSchema extends OperationNodeTransformer {
  constructor(
    private readonly from: string,
    private readonly to: string,
  ) {
    super();
  }
  protected override transformSchemableIdentifier(node: SchemableIdentifierNode): SchemableIdentifierNode {
    const t = super.transformSchemableIdentifier(node);
    if (t.schema?.name !== this.from) return t;
    return SchemableIdentifierNode.createWithSchema(this.to, t.identifier.name);
  }
}

/** Rewrites `read.<table>` into `<schema>.<table>` in Kysely-built queries. */
class RenameSchemaPlugin implements KyselyPlugin {
  private readonly transformer: RenameSchema;
  constructor(from: string, to: string) {
    this.transformer = new RenameSchema(from, to);
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** `db` writing to `schema` instead of `read` (Kysely-built queries only). */
export function inSchema<T extends Db>(db: T, schema: string): T {
  if (schema === LIVE_SCHEMA) return db;
  return db.withPlugin(new RenameSchemaPlugin(LIVE_SCHEMA, schema)) as T;
}
