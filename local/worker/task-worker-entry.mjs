// A task worker thread: TypeScript through tsx, then the worker itself (task-worker.ts).
import { register } from "tsx/esm/api";

register();
await import("./task-worker.ts");
