const NUMBER = /-?\d+(?:\.\d+)?/g;

/**
 * Merges the outputs of repeated runs of one benchmark: when every run printed the same text
 * around its numbers, each number becomes `median (min–max)` — or stays as is when all runs
 * agree — so the spread of every figure is visible; otherwise the runs are printed one by one.
 */
export function medianOfRuns(outputs: readonly string[]): string {
  if (outputs.length === 1) return outputs[0]!;
  const shape = (text: string) => text.replace(NUMBER, "#");
  if (new Set(outputs.map(shape)).size !== 1) {
    return outputs.map((text, i) => `run ${i + 1}:\n${text}`).join("\n");
  }
  const numbers = outputs.map((text) => text.match(NUMBER) ?? []);
  let index = 0;
  return outputs[0]!.replace(NUMBER, (first) => {
    const values = numbers.map((list) => Number(list[index]));
    const texts = numbers.map((list) => list[index]!);
    index++;
    if (new Set(texts).size === 1) return first;
    const decimals = first.includes(".") ? first.split(".")[1]!.length : 0;
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const f = (v: number) => v.toFixed(decimals);
    return `${f(median)} (${f(sorted[0]!)}–${f(sorted.at(-1)!)})`;
  });
}
