// Runs one task the way a deployed Trigger.dev worker does: a fresh process that loads
// `trigger/init.ts` and that task's own file, nothing else, then runs the task once.
// Usage: node --import tsx test/helpers/run-task-file-alone.ts <taskFile> <taskId> <payloadJson>
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { lifecycleHooks, resourceCatalog } from "@trigger.dev/core/v3";
import { runInMockTaskContext } from "@trigger.dev/core/v3/test";
import { StandardLifecycleHooksManager, StandardResourceCatalog } from "@trigger.dev/core/v3/workers";

const [taskFile, taskId, payloadJson] = process.argv.slice(2);
const catalog = new StandardResourceCatalog();
resourceCatalog.setGlobalResourceCatalog(catalog);
lifecycleHooks.setGlobalLifecycleHooksManager(new StandardLifecycleHooksManager());
for (const file of ["trigger/init.ts", taskFile!]) {
  catalog.setCurrentFileContext(file, "default");
  await import(pathToFileURL(resolve(file)).href);
  catalog.clearCurrentFileContext();
}
const loaded = catalog.listTaskManifests().map((m) => m.filePath);
const task = catalog.getTask(taskId!);
if (!task) throw new Error(`${taskId} is not defined by ${taskFile}`);
const output = await runInMockTaskContext(({ ctx }) =>
  task.fns.run(JSON.parse(payloadJson!), { ctx, signal: new AbortController().signal }),
);
process.stdout.write(`${JSON.stringify({ loaded: [...new Set(loaded)], output })}\n`);
process.exit(0);
