// Calls of one method asked for at about the same time are sent together: one at a time alone, two or
// more (up to 25) in one `execute`. The reconciler lists a school's ~180 chats a few at once; with
// VK's 20 requests a second for a community token, one execute per 25 listings instead of 25 requests
// is what keeps a school's planning short. While a request is out, new calls gather for the next one.
// Each caller gets its own call's answer or its own error (a deleted chat fails only its listing).
import type { VkApiClient } from './client.js';
import { EXECUTE_MAX_CALLS, type ExecuteCall } from './client.js';
import type { VkMethod } from './schema.js';

interface Waiting {
  params: Record<string, number | string>;
  resolve(response: unknown): void;
  reject(error: unknown): void;
}

export class CallCoalescer {
  private queue: Waiting[] = [];
  private running = false;

  constructor(
    private readonly client: VkApiClient,
    private readonly method: VkMethod,
  ) {}

  get(params: Record<string, number | string>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ params, resolve, reject });
      // Callers of the same tick join the first batch; the request goes out after them.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, EXECUTE_MAX_CALLS);
        if (batch.length === 1) {
          const [one] = batch;
          await this.client.call(this.method, one!.params).then(one!.resolve, one!.reject);
          continue;
        }
        const calls: ExecuteCall[] = batch.map((w) => ({ method: this.method, params: w.params }));
        try {
          const results = await this.client.execute(calls);
          results.forEach((r, i) => (r.ok ? batch[i]!.resolve(r.response) : batch[i]!.reject(r.error)));
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
