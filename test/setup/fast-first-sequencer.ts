import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * For mutation runs: unit suites (under `src/`) first, then the integration suites, each group
 * fastest first. Stryker stops a mutant's run at the first failing test, so a mutant a quick unit
 * test kills never waits for the database-backed suites.
 */
export default class FastFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const slowestFirst = await super.sort(files);
    const rank = (spec: TestSpecification) => (spec.moduleId.includes("/src/") ? 0 : 1);
    return slowestFirst.reverse().sort((a, b) => rank(a) - rank(b));
  }
}
