import type { RunMetadataManager } from "@trigger.dev/core/v3";

type DeserializedJson = Parameters<RunMetadataManager["set"]>[1];

import { TestRunMetadataManager } from "@trigger.dev/core/v3/test";
import { logger } from "../../src/observability/logger.ts";

type Metadata = Record<string, DeserializedJson>;

/**
 * Run metadata for a local run: in memory like the SDK's test manager, and saved through
 * `save` shortly after every change (and on `flush()`), so `runs.retrieve` shows progress
 * while the run is still executing, as on Trigger.dev.
 */
export class PersistedRunMetadata extends TestRunMetadataManager {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    initial: Metadata | undefined,
    private readonly save: (metadata: Metadata) => Promise<void>,
    private readonly delayMs = 50,
  ) {
    super();
    if (initial) super.update(initial);
  }

  private changed(): this {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    return this;
  }

  override set(key: string, value: DeserializedJson): this {
    super.set(key, value);
    return this.changed();
  }
  override del(key: string): this {
    super.del(key);
    return this.changed();
  }
  override append(key: string, value: DeserializedJson): this {
    super.append(key, value);
    return this.changed();
  }
  override remove(key: string, value: DeserializedJson): this {
    super.remove(key, value);
    return this.changed();
  }
  override increment(key: string, value: number): this {
    super.increment(key, value);
    return this.changed();
  }
  override update(metadata: Metadata): this {
    super.update(metadata);
    return this.changed();
  }

  /** Saves the current metadata now (one save at a time, in order); a failed save is logged, the run goes on. */
  override flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const snapshot = this.current() ?? {};
    this.saving = this.saving
      .then(() => this.save(snapshot))
      .catch((err) => logger.warn("could not save run metadata", { err }));
    return this.saving;
  }
}
