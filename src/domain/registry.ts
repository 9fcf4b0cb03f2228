import type { z } from 'zod';
import type { DomainEvent } from './kernel/shared.ts';

/**
 * The event registry: for every event type, its current schema version, its zod schema, where its
 * business date lives, and the upcasters that turn older recorded versions into the current one.
 * Pure data; the shell uses it to write (`currentVersion`) and to read (`upcast` then `parse`).
 */
export interface EventTypeSpec {
  version: number;
  schema: z.ZodType;
  /** The business date of the event (`occurredOn` in its metadata). */
  occurredOn: (data: Record<string, unknown>) => string;
  /** `upcasters[v]` turns version v data into version v + 1 data. */
  upcasters?: Record<number, (data: Record<string, unknown>) => Record<string, unknown>>;
  /** One line for humans (audit trail). */
  summary?: (data: Record<string, unknown>) => string;
}

export class EventRegistry {
  private readonly specs = new Map<string, EventTypeSpec>();

  register(types: Record<string, EventTypeSpec>): this {
    for (const [type, spec] of Object.entries(types)) {
      if (this.specs.has(type)) throw new Error(`event type ${type} registered twice`);
      this.specs.set(type, spec);
    }
    return this;
  }

  has(type: string): boolean {
    return this.specs.has(type);
  }

  types(): string[] {
    return [...this.specs.keys()];
  }

  spec(type: string): EventTypeSpec {
    const s = this.specs.get(type);
    if (!s) throw new Error(`unknown event type ${type}`);
    return s;
  }

  /** Brings recorded data of any known version to the current version, and checks it. */
  upcast(type: string, version: number, data: Record<string, unknown>): DomainEvent {
    const spec = this.spec(type);
    if (version > spec.version) throw new Error(`${type} v${version} is newer than this code (v${spec.version})`);
    let d = data;
    for (let v = version; v < spec.version; v++) {
      const up = spec.upcasters?.[v];
      if (!up) throw new Error(`no upcaster for ${type} from v${v}`);
      d = up(d);
    }
    return { type, data: spec.schema.parse(d) as Readonly<Record<string, unknown>> };
  }

  occurredOn(event: DomainEvent): string {
    return this.spec(event.type).occurredOn(event.data);
  }

  summary(event: DomainEvent): string {
    const s = this.spec(event.type).summary;
    return s ? s(event.data) : event.type;
  }
}
