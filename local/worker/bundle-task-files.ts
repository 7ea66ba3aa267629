import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { extname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Loader, type Plugin } from "esbuild";
import { AppError } from "../../src/errors.ts";
import { compileErrorLines } from "../../src/format-error.ts";

/** The task worker and the files it imports, compiled to plain JavaScript (ESM). */
export interface TaskFileBundle {
  /** The worker thread's entry (local/worker/task-worker.ts, compiled). */
  workerEntry: string;
  /** The compiled module of a source file (an init file or a task file). */
  moduleOf(sourceFile: string): string;
  /** Removes the compiled files. */
  remove(): void;
}

/** Compiled bundles live inside the project so their bare imports resolve from its node_modules. */
const CACHE_DIR = "node_modules/.cache/switchboard-task-workers";
const WORKER_SOURCE = fileURLToPath(new URL("./task-worker.ts", import.meta.url));

/** Per-module bindings that stand for `import.meta.url` / `.filename` / `.dirname` (esbuild `define`). */
const IMPORT_META = {
  url: "__switchboardImportMetaUrl",
  filename: "__switchboardImportMetaFilename",
  dirname: "__switchboardImportMetaDirname",
} as const;

/**
 * Keeps paths computed from `import.meta.url` (e.g. the migrations folder) pointing at the
 * source file, not at the compiled chunk: `define` turns the expressions (never strings or
 * comments) into identifiers, and each module declares its own at the start of its first line
 * (lines stay where they were; scope hoisting renames each module's bindings apart).
 */
const sourceImportMeta: Plugin = {
  name: "switchboard-source-import-meta",
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      if (args.path.includes(`${"/"}node_modules${"/"}`)) return undefined;
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta")) return undefined;
      const declaration =
        `const ${IMPORT_META.url} = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
        `${IMPORT_META.filename} = ${JSON.stringify(args.path)}, ` +
        `${IMPORT_META.dirname} = ${JSON.stringify(resolve(args.path, ".."))};`;
      // A hashbang must stay first: the declaration then opens the second line.
      const at = source.startsWith("#!") ? source.indexOf("\n") + 1 : 0;
      const contents =
        at > 0 || !source.startsWith("#!")
          ? `${source.slice(0, at)}${declaration}${source.slice(at)}`
          : `${source}\n${declaration}`;
      const ext = extname(args.path).replace(/^\.[cm]?/, "");
      return {
        contents,
        loader: (ext === "tsx" || ext === "jsx" ? ext : ext === "ts" ? "ts" : "js") as Loader,
      };
    });
  },
};

const OPT_OUT =
  "fix it, or set SWITCHBOARD_ISOLATE_TASK_FILES=0 to run attempts in the runtime's own process";

/**
 * The task files could not be compiled for their workers: fatal at start (ADR 027), one line
 * naming the file (file:line:col and esbuild's message) or the folder, and the opt-out.
 */
export class TaskFileBuildError extends AppError {
  constructor(message: string, cause: unknown) {
    super("task_files_not_compiled", `${message}; ${OPT_OUT}`, { cause });
  }
}

function buildFailure(err: unknown): TaskFileBuildError {
  // esbuild names files relative to the working directory.
  const lines = compileErrorLines(err);
  const what = lines
    ? lines.slice(0, 5).join("; ")
    : err instanceof Error
      ? err.message.split("\n")[0]
      : String(err);
  return new TaskFileBuildError(`the task files do not compile for their workers: ${what}`, err);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes bundles left by runtimes that were killed before they could clean up. */
function pruneStale(cacheDir: string): void {
  for (const entry of readdirSync(cacheDir)) {
    const pid = Number(entry.split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) {
      rmSync(join(cacheDir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * Compiles the task worker, the init files and every task file with esbuild in one build (code
 * splitting: shared modules are chunks, so within a worker the task file and the worker share one
 * instance of each module), packages left to node_modules, source maps inline. Workers then import
 * plain JavaScript, as Trigger.dev's deployed workers do, instead of compiling TypeScript through
 * tsx on their first start.
 */
export async function bundleTaskFiles(
  sourceFiles: readonly string[],
  root = process.cwd(),
): Promise<TaskFileBundle> {
  const cacheDir = resolve(root, CACHE_DIR);
  let outdir: string;
  try {
    mkdirSync(cacheDir, { recursive: true });
    pruneStale(cacheDir);
    outdir = mkdtempSync(join(cacheDir, `${process.pid}-`));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TaskFileBuildError(
      `could not create ${CACHE_DIR} for the compiled task files (${reason})`,
      err,
    );
  }
  const remove = () => rmSync(outdir, { recursive: true, force: true });
  const entries = [WORKER_SOURCE, ...sourceFiles.map((file) => resolve(file))];
  try {
    const result = await build({
      entryPoints: entries,
      outdir,
      outbase: root,
      entryNames: "[dir]/[name]",
      outExtension: { ".js": ".mjs" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      sourcemap: "inline",
      metafile: true,
      logLevel: "silent",
      define: {
        "import.meta.url": IMPORT_META.url,
        "import.meta.filename": IMPORT_META.filename,
        "import.meta.dirname": IMPORT_META.dirname,
      },
      plugins: [sourceImportMeta],
    });
    const modules = new Map<string, string>();
    for (const [output, meta] of Object.entries(result.metafile.outputs)) {
      if (meta.entryPoint) modules.set(resolve(root, meta.entryPoint), resolve(root, output));
    }
    const moduleOf = (sourceFile: string) => {
      const compiled = modules.get(resolve(sourceFile));
      if (!compiled) throw new Error(`${relative(root, sourceFile)} was not compiled for the task workers`);
      return compiled;
    };
    return { workerEntry: moduleOf(WORKER_SOURCE), moduleOf, remove };
  } catch (err) {
    remove();
    throw buildFailure(err);
  }
}
