import type {
  DestructiveCall,
  SimProvider,
  SimulatorStats,
  SimulatorStatsSnapshot,
} from '../simulator.types.ts';

function emptyRequests(): Record<SimProvider, Record<string, Record<string, number>>> {
  return { affogato: {}, mediapocket: {}, roughy: {} };
}

export class StatsRecorder implements SimulatorStats {
  requests = emptyRequests();
  destructiveCalls: DestructiveCall[] = [];
  served429ByProvider: Record<SimProvider, number> = { affogato: 0, mediapocket: 0, roughy: 0 };

  get served429(): number {
    return this.served429ByProvider.affogato + this.served429ByProvider.mediapocket + this.served429ByProvider.roughy;
  }

  record(provider: SimProvider, operation: string, status: number): void {
    const byStatus = (this.requests[provider][operation] ??= {});
    const key = String(status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (status === 429) this.served429ByProvider[provider] += 1;
  }

  recordDestructive(call: DestructiveCall): void {
    this.destructiveCalls.push(call);
  }

  count(provider: SimProvider, operation?: string, status?: number): number {
    let total = 0;
    for (const [name, byStatus] of Object.entries(this.requests[provider])) {
      if (operation !== undefined && name !== operation) continue;
      for (const [code, n] of Object.entries(byStatus)) {
        if (status === undefined || code === String(status)) total += n;
      }
    }
    return total;
  }

  reset(): void {
    this.requests = emptyRequests();
    this.destructiveCalls = [];
    this.served429ByProvider = { affogato: 0, mediapocket: 0, roughy: 0 };
  }

  snapshot(): SimulatorStatsSnapshot {
    return structuredClone({
      requests: this.requests,
      destructiveCalls: this.destructiveCalls,
      served429: this.served429,
      served429ByProvider: this.served429ByProvider,
    });
  }
}
