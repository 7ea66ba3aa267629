import { z } from "zod";
import type { LoadedTask } from "../executor/task-catalog.ts";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  [key: string]: unknown;
};

/**
 * The JSON Schema of a `schemaTask`'s payload (zod 4 schemas convert; others, and plain `task`s,
 * have none to show).
 */
export function payloadSchemaOf(task: LoadedTask): JsonSchema | undefined {
  const schema = task.schema as { _zod?: unknown } | undefined;
  if (!schema || typeof schema !== "object" || !("_zod" in schema)) return undefined;
  try {
    return z.toJSONSchema(schema as z.ZodType, { unrepresentable: "any", io: "input" }) as JsonSchema;
  } catch {
    return undefined;
  }
}
