import type { JsonSchema } from "./payload-schema.ts";

/**
 * A payload that fits a JSON Schema, to prefill the Test form: defaults and examples first, then
 * the first enum value, then a placeholder of the right type for every required field.
 */
export function examplePayload(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return {};
  if (schema.default !== undefined) return schema.default;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (variant) return examplePayload(variant, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [name, inner] of Object.entries(schema.properties ?? {})) {
        if (required.has(name)) out[name] = examplePayload(inner, depth + 1);
      }
      return out;
    }
    case "array":
      return [];
    case "string":
      if (schema.format === "uuid") return "00000000-0000-4000-8000-000000000000";
      if (schema.format === "date-time") return new Date(0).toISOString();
      return "";
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 0;
    case "boolean":
      return false;
    default:
      return depth === 0 ? {} : null;
  }
}
