/**
 * Automations: messages and other steps that go out on their own when something happens to a customer. The shop's
 * automations with their switch, sends and Run now; the editor (new, from a recipe, or Edit) with the live count;
 * the ready-made recipes; and the log of what they did, each decision with its reason.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { AutomationView, Recipe } from '../../../shared/contract/automations';
import type { AppError } from '../../../shared/contract/errors';
import { client } from '../client';
import { asAppError, PageHeader, Problem } from '../components';
import { useCommand } from '../use-command';
import { AutomationList } from './automations/AutomationList';
import { ShopComparison } from './automations/Comparison';
import { type Draft, EMPTY_DRAFT, toDraft } from './automations/draft';
import { Editor } from './automations/Editor';
import { ExecutionLog } from './automations/ExecutionLog';
import { Recipes } from './automations/Recipes';

export function AutomationsPage() {
  const list = useCommand('automations.list', {});
  const recipes = useCommand('automations.recipes', {});
  const templates = useCommand('templates.list', {});
  const segments = useCommand('models.segments', {});
  const [automations, setAutomations] = useState<AutomationView[]>();
  const [editing, setEditing] = useState<Draft>();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<AppError>();
  const [busyId, setBusyId] = useState<number>();
  const [logVersion, setLogVersion] = useState(0);
  /** Each open is a fresh editor (a second recipe replaces the first). */
  const [opened, setOpened] = useState(0);
  useEffect(() => {
    if (list.data) setAutomations(list.data);
  }, [list.data]);
  // Listing the recipes saves each recipe's template the first time: read the templates again so the editor has them.
  const reloadTemplates = templates.reload;
  useEffect(() => {
    if (recipes.data) reloadTemplates();
  }, [recipes.data, reloadTemplates]);

  const segmentNames = (segments.data ?? []).map((s) => s.name);
  const say = (words: string) => {
    setError(undefined);
    setDone(words);
  };
  const replace = (a: AutomationView) =>
    setAutomations((all) => {
      const rest = (all ?? []).filter((x) => x.id !== a.id);
      return [...rest, a].sort((x, y) => x.priority - y.priority || x.id - y.id);
    });
  const open = (draft: Draft) => {
    setDone(undefined);
    setError(undefined);
    setEditing(draft);
    setOpened((n) => n + 1);
    requestAnimationFrame(() => document.getElementById('automation-name')?.focus());
  };

  async function act(a: AutomationView, work: () => Promise<void>) {
    setBusyId(a.id);
    setDone(undefined);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusyId(undefined);
      setLogVersion((v) => v + 1);
    }
  }

  // The switch moves at once (and back if the backend refuses), as the pause switch in Settings does.
  const toggle = (a: AutomationView, enabled: boolean) =>
    act(a, async () => {
      replace({ ...a, enabled });
      const result = await client.call('automations.setEnabled', { id: a.id, enabled }).catch((e: unknown) => {
        replace(a);
        throw e;
      });
      const { run, ...view } = result;
      replace(view);
      say(
        enabled
          ? `“${a.name}” is on. ${run ? `Customers already in its state, just now: ${run.summary}` : 'Customers already in its state were handled when it was switched on.'} New ones are handled as they arrive.`
          : `“${a.name}” is off. Nothing more goes out from it: its messages not sent yet were cancelled.`,
      );
    });
  const run = (a: AutomationView) =>
    act(a, async () => {
      const result = await client.call('automations.run', { id: a.id });
      say(`“${a.name}” ran: ${result.summary}`);
      list.reload();
    });
  async function remove(a: AutomationView) {
    setDone(undefined);
    setError(undefined);
    try {
      await client.call('automations.delete', { id: a.id });
      setAutomations((all) => all?.filter((x) => x.id !== a.id));
      if (editing?.id === a.id) setEditing(undefined);
      say(`“${a.name}” deleted.`);
      setLogVersion((v) => v + 1);
    } catch (e) {
      setError(asAppError(e));
    }
  }

  return (
    <section>
      <PageHeader title="Automations">
        Messages and other steps that go out on their own when something happens to a customer: they drift away, leave a
        cart, keep looking at a product, or reach a spending milestone. Nobody gets more than 2 marketing messages a
        week, and only on a channel they said yes to.
      </PageHeader>
      <Problem error={list.error ?? error} />
      {done ? (
        <div className="notice small success" role="status">
          {done}
        </div>
      ) : null}
      <section aria-labelledby="automations-heading" className="panel">
        <h2 id="automations-heading">Your automations</h2>
        {automations === undefined ? (
          list.loading ? (
            <p>Loading…</p>
          ) : null
        ) : automations.length === 0 ? (
          <p className="muted" data-testid="no-automations">
            No automation yet. Start from a recipe below, or make your own.
          </p>
        ) : (
          <AutomationList
            automations={automations}
            busyId={busyId}
            onToggle={toggle}
            onRun={run}
            onEdit={(a) => open(toDraft(a))}
            onDelete={remove}
          />
        )}
        {editing ? null : (
          <button type="button" onClick={() => open(EMPTY_DRAFT)}>
            New automation
          </button>
        )}
        {automations && automations.length > 0 ? <ShopComparison /> : null}
      </section>
      {editing ? (
        <Editor
          key={opened}
          initial={editing}
          templates={templates.data?.templates ?? []}
          segments={segmentNames}
          onSaved={(a, created) => {
            replace(a);
            setEditing(undefined);
            say(
              created
                ? `“${a.name}” saved. It is off: switch it on in the list when you are ready.`
                : `“${a.name}” saved.`,
            );
          }}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
      {templates.data && templates.data.templates.length === 0 ? (
        <p className="notice small">
          To send messages you need a template: write one in{' '}
          <Link to="/settings/templates">Settings → Channels → Message templates</Link>.
        </p>
      ) : null}
      <Problem error={recipes.error} />
      {recipes.data ? (
        <Recipes
          recipes={recipes.data}
          automations={automations ?? []}
          onUse={(r: Recipe) => open(toDraft(r.automation))}
        />
      ) : null}
      <ExecutionLog version={logVersion} automations={automations ?? []} />
    </section>
  );
}
