import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SegmentError } from '../segments/segment-service.js';
import { ConfigError } from '../shared/errors.js';
import { registerClusterCommands } from './cluster-commands.js';
import { output, pickWorkspace, withTailor, type GlobalOptions } from './context.js';
import { wholeNumber } from './options.js';

/** A segment definition file: `{ "name", "description"?, "condition" }` as JSON. */
function readDefinition(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`--file ${file}: cannot read it (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--file ${file}: not valid JSON (${(error as Error).message})`);
  }
}

function fail(error: SegmentError, file?: string): never {
  if (error.type === 'invalid_definition') {
    throw new ConfigError(`${file === undefined ? 'the definition' : file} is not a valid segment:\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
  if (error.type === 'segment_not_found') throw new ConfigError(`no segment with id ${error.id} (see \`tailor segments list\`)`);
  if (error.type === 'profile_not_found') throw new ConfigError('no profile matches that identifier');
  throw new ConfigError(error.message);
}

const time = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());

/** `tailor segments …`: create, validate, preview, update, list, evaluate, members (CSV), history, delete; cluster, clusters, save-clusters. */
export function registerSegmentCommands(program: Command, globals: () => GlobalOptions): void {
  const segments = program.command('segments').description('rule segments: define, preview, evaluate, list members, export, history (README "Segments")');

  segments.command('validate')
    .description('check a definition file without saving it; every problem is printed with its path')
    .requiredOption('--file <file>', 'JSON: { "name", "description"?, "condition" }')
    .action(async (o: { file: string }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.segments.validate(workspace, readDefinition(o.file));
        if (!r.ok) fail(r.error, o.file);
        output(globals(), { valid: true, definition: r.value }, () => `${o.file}: valid segment "${r.value.name}".`);
      });
    });

  segments.command('preview')
    .description('how many people a definition matches now, and a sample, without saving it')
    .requiredOption('--file <file>', 'JSON: { "name", "description"?, "condition" }')
    .action(async (o: { file: string }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.segments.preview(workspace, readDefinition(o.file));
        if (!r.ok) fail(r.error, o.file);
        output(globals(), r.value, () => [
          `${r.value.count} people match now${r.value.profilingExcluded > 0 ? ` (${r.value.profilingExcluded} more left out: profiling refused, PRIVACY.md P5)` : ''}.`,
          ...(r.value.sample.length === 0 ? [] : [`  sample: ${r.value.sample.join(', ')}`]),
        ].join('\n'));
      });
    });

  segments.command('create')
    .description('save a segment from a definition file and evaluate it')
    .requiredOption('--file <file>', 'JSON: { "name", "description"?, "condition" }')
    .option('--no-evaluate', 'save only; members are filled at the next evaluation')
    .action(async (o: { file: string; evaluate: boolean }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.segments.create(workspace, readDefinition(o.file), 'cli');
        if (!r.ok) fail(r.error, o.file);
        // Entries recorded as the API records them (`created`); the segment shown as it is after evaluating (members, time).
        const e = o.evaluate ? await tailor.segments.evaluate(workspace, r.value.id, 'created') : null;
        if (e !== null && !e.ok) fail(e.error);
        const evaluated = e === null ? null : await tailor.segments.get(workspace, r.value.id);
        const segment = evaluated?.ok === true ? evaluated.value : r.value;
        output(globals(), { segment, evaluation: e?.value ?? null }, () => `Created segment "${segment.name}" (${segment.id})${e === null ? '' : ` with ${e.value.members} members`}.`);
      });
    });

  segments.command('update <id>')
    .description('replace a segment\'s name, description and condition from a definition file and re-evaluate it (and the segments that refer to it)')
    .requiredOption('--file <file>', 'JSON: { "name", "description"?, "condition" }')
    .action(async (id: string, o: { file: string }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.segments.update(workspace, id, readDefinition(o.file), 'cli');
        if (!r.ok) fail(r.error, o.file);
        output(globals(), r.value, () => [
          `Updated segment "${r.value.segment.name}" (${id}): ${r.value.evaluation.members} members, ${r.value.evaluation.entered} entered, ${r.value.evaluation.exited} exited.`,
          ...r.value.evaluation.dependents.map((d) => `  then ${d.segmentId}, which refers to it: ${d.members} members, ${d.entered} entered, ${d.exited} exited.`),
        ].join('\n'));
      });
    });

  segments.command('list')
    .description('the workspace\'s segments with their member counts')
    .action(async () => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const list = await tailor.segments.list(workspace);
        output(globals(), { segments: list }, () => (list.length === 0 ? 'No segments yet: `tailor segments create --file segment.json`.' : list.map((s) =>
          `${s.id}  ${String(s.memberCount).padStart(8)} members  evaluated ${time(s.evaluatedAt)}  ${s.name}`).join('\n')));
      });
    });

  segments.command('evaluate [id]')
    .description('re-evaluate one segment (then the segments that refer to it, if its members changed), or all of them (referenced segments first), recording who entered and who left')
    .action(async (id: string | undefined) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        let summaries;
        if (id === undefined) {
          await tailor.clusters.placeNewCustomers(workspace);
          summaries = await tailor.segments.evaluateAll(workspace, 'evaluation');
        }
        else {
          const r = await tailor.segments.evaluate(workspace, id);
          if (!r.ok) fail(r.error);
          // The segment, then the segments that refer to it and were re-evaluated after it.
          const { dependents, ...own } = r.value;
          summaries = [own, ...dependents];
        }
        output(globals(), { evaluations: summaries }, () => (summaries.length === 0 ? 'No segments to evaluate.' : summaries.map((s) =>
          `${s.segmentId}  ${s.members} members (+${s.entered} −${s.exited})${s.profilingExcluded > 0 ? `, ${s.profilingExcluded} left out (P5)` : ''} in ${(s.durationMs / 1000).toFixed(2)} s`).join('\n')));
      });
    });

  segments.command('members <id>')
    .description('members of a segment in profile id order, a page at a time; --csv writes them all')
    .option('--limit <n>', 'page size (1–1000)', wholeNumber(1, 1000), 100)
    .option('--after <profileId>', 'the page after this profile id')
    .option('--csv <file>', 'write every member as CSV (profile_id,user_id,entered_at) to this file, or - for stdout')
    .action(async (id: string, o: { limit: number; after?: string; csv?: string }) => {
      if (!Number.isInteger(o.limit) || o.limit < 1 || o.limit > 1000) throw new ConfigError(`--limit must be a whole number from 1 to 1000, got ${o.limit}`);
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        if (o.csv !== undefined) {
          const r = await tailor.segments.exportCsv(workspace, id, 'cli');
          if (!r.ok) fail(r.error);
          if (o.csv === '-') process.stdout.write(r.value);
          else {
            writeFileSync(o.csv, r.value);
            const members = r.value.split('\n').length - 2; // the header and the final newline aside
            output(globals(), { segmentId: id, file: o.csv, members }, () => `wrote ${members} members to ${o.csv}`);
          }
          return;
        }
        const r = await tailor.segments.members(workspace, id, { after: o.after ?? null, limit: o.limit });
        if (!r.ok) fail(r.error);
        const next = r.value.length === o.limit ? r.value[r.value.length - 1]!.profileId : null;
        output(globals(), { members: r.value, next }, () => [
          ...r.value.map((m) => `${m.profileId}  ${(m.userId ?? '').padEnd(20)}  since ${time(m.enteredAt)}`),
          next === null ? `(${r.value.length} shown; end of list)` : `(${r.value.length} shown; next page: --after ${next})`,
        ].join('\n'));
      });
    });

  segments.command('history <ref>')
    .description('a person\'s segments now and every entry and exit (time, reason), by any identifier')
    .action(async (ref: string) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.segments.historyOf(workspace, ref);
        if (!r.ok) fail(r.error);
        await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'profile.segments.read', subject: r.value.profileId, details: { via: 'tailor segments history' } });
        const names = new Map((await tailor.segments.list(workspace)).map((s) => [s.id, s.name]));
        output(globals(), r.value, () => [
          `profile ${r.value.profileId}: in ${r.value.current.length} segments now`,
          ...r.value.current.map((c) => `  ${names.get(c.segmentId) ?? c.segmentId}  since ${time(c.enteredAt)}`),
          'history:',
          ...r.value.changes.map((c) => `  ${time(c.at)}  ${c.change.padEnd(7)}  ${names.get(c.segmentId) ?? c.segmentId}  (${c.reason})`),
        ].join('\n'));
      });
    });

  segments.command('delete <id>')
    .description('delete a segment with its members and history (refused while another segment refers to it)')
    .action(async (id: string) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.segments.remove(workspace, id, 'cli');
        if (!r.ok) fail(r.error);
        output(globals(), r.value, () => `Deleted segment ${id}.`);
      });
    });

  registerClusterCommands(segments, globals);
}
