import type { Deps } from "../build-deps.ts";

/** What the survey capability uses from the one dependency set (`buildDeps`). */
export type SurveyDeps = Pick<
  Deps,
  "db" | "jobs" | "env" | "credentials" | "http" | "notifier" | "clock" | "logger"
>;
