import type { DagActionSpec } from '../simulator.types.ts';
import type {
  DagActionInfo,
  DagActionRun,
  DagActionRunMessage,
  MediaPocketPermission,
} from './mediapocket.wire.ts';

/**
 * Default catalogue: one behaviour per outcome a client must handle (success after a few polls, failure, a run
 * that never ends, a status nobody documented, and success under another word).
 */
export const DEFAULT_DAG_ACTIONS: readonly DagActionSpec[] = [
  { id: 1, name: 'Transcode', category: 'Media', statuses: ['running', 'running', 'finished'] },
  { id: 2, name: 'Generate subtitles', category: 'Media', statuses: ['running', 'failed'] },
  { id: 3, name: 'Export to archive', category: 'Storage', statuses: ['running'] },
  { id: 4, name: 'Legal review', category: 'Compliance', statuses: ['waiting_for_review'] },
  { id: 5, name: 'Refresh previews', category: 'Media', statuses: ['completed'] },
];

interface RunState {
  run: DagActionRun;
  statuses: readonly string[];
  /** Index into statuses reached by polling; -1 until the first poll. */
  position: number;
}

/**
 * DAG action runs. There is no endpoint for one run, so a run moves on only when a client lists the asset's
 * runs: each such poll advances every run of that asset one status and adds a message, until its last status.
 */
export class MediaPocketDag {
  private readonly actions = new Map<number, { info: DagActionInfo; statuses: readonly string[] }>();
  private readonly runsByAsset = new Map<string, RunState[]>();
  private readonly denied = new Set<MediaPocketPermission>();
  private nextRunId = 1;
  private nextMessageId = 1;

  constructor(specs: readonly DagActionSpec[] = DEFAULT_DAG_ACTIONS) {
    for (const spec of specs) {
      if (spec.statuses.length === 0) throw new Error(`DAG action ${spec.id} needs at least one status`);
      const info: DagActionInfo = {
        id: spec.id,
        name: spec.name,
        description: spec.description ?? `${spec.name} (simulated DAG action)`,
        category: spec.category ?? 'Tests',
      };
      this.actions.set(spec.id, { info, statuses: [...spec.statuses] });
    }
  }

  /** The catalogue, as `GET .../dag_actions` lists it. */
  catalogue(): DagActionInfo[] {
    return [...this.actions.values()].map(({ info }) => ({ ...info }));
  }

  hasAction(actionId: number): boolean {
    return this.actions.has(actionId);
  }

  /** Starts a run; undefined for an unknown action. The answer always says 'running', as the reference shows. */
  start(assetId: string, actionId: number, now = new Date()): DagActionRun | undefined {
    const action = this.actions.get(actionId);
    if (action === undefined) return undefined;
    const run: DagActionRun = {
      id: this.nextRunId++,
      status: 'running',
      created_at: now.toISOString(),
      dag_action: { ...action.info },
      dag_action_run_messages: [this.message('Set in queue...', now)],
    };
    const runs = this.runsByAsset.get(assetId) ?? [];
    runs.push({ run, statuses: action.statuses, position: -1 });
    this.runsByAsset.set(assetId, runs);
    return structuredClone(run);
  }

  /** What `GET .../dag_action_runs` answers: advances each run of the asset, then returns them oldest first. */
  poll(assetId: string, now = new Date()): DagActionRun[] {
    const runs = this.runsByAsset.get(assetId) ?? [];
    for (const state of runs) {
      if (state.position >= state.statuses.length - 1) continue;
      state.position += 1;
      const status = state.statuses[state.position] ?? state.run.status;
      const step = `Step ${state.position + 1} of ${state.statuses.length}`;
      const text = status === state.run.status ? `${step}: still ${status}` : `${step}: ${status}`;
      state.run.status = status;
      state.run.dag_action_run_messages.push(this.message(text, now));
    }
    return structuredClone(runs.map((state) => state.run));
  }

  /** The asset's runs as they stand, without counting as a poll. */
  runs(assetId: string): DagActionRun[] {
    return structuredClone((this.runsByAsset.get(assetId) ?? []).map((state) => state.run));
  }

  forgetAsset(assetId: string): void {
    this.runsByAsset.delete(assetId);
  }

  denyPermissions(kind: MediaPocketPermission, denied: boolean): void {
    if (denied) this.denied.add(kind);
    else this.denied.delete(kind);
  }

  isDenied(kind: MediaPocketPermission): boolean {
    return this.denied.has(kind);
  }

  private message(text: string, now: Date): DagActionRunMessage {
    return { id: this.nextMessageId++, message: text, created_at: now.toISOString() };
  }
}
