import { describe, expect, it } from "vitest";
import { medianOfRuns } from "../bench/median-of-runs.ts";

describe("benchmark runs merged into medians", () => {
  it("prints every figure as median (min–max), and figures all runs agree on as they are", () => {
    const runs = [
      "sweep N=1000: 120 ms, ratio 1.20",
      "sweep N=1000: 100 ms, ratio 1.05",
      "sweep N=1000: 140 ms, ratio 1.31",
    ];
    expect(medianOfRuns(runs)).toBe("sweep N=1000: 120 (100–140) ms, ratio 1.20 (1.05–1.31)");
  });

  it("prints the runs one by one when their text differs", () => {
    expect(medianOfRuns(["a 1", "b 2"])).toBe("run 1:\na 1\nrun 2:\nb 2");
  });
});
