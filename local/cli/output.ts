/** CLI output: people get text; `--json` gets exactly one JSON document on stdout. */
export function emit(json: boolean | undefined, data: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/** A plain text table for human output. */
export function table(rows: object[], columns: string[]): string {
  if (rows.length === 0) return "(none)";
  const text = (v: unknown) =>
    v === null || v === undefined ? "-" : v instanceof Date ? v.toISOString() : String(v);
  const widths = columns.map((c) =>
    Math.max(c.length, ...rows.map((r) => text((r as Record<string, unknown>)[c]).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [
    line(columns),
    ...rows.map((r) => line(columns.map((c) => text((r as Record<string, unknown>)[c])))),
  ].join("\n");
}
