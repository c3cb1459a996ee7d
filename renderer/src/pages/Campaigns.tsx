/**
 * Campaigns: a one-off message to a segment, a tag or any filter, sent once when the shop presses Send. The list of
 * campaigns with what each did; "New campaign" (the form, with how many it reaches and the cost before anything
 * goes); an opened campaign (`?campaign=<id>`, so it can be linked to): a draft opens in the form, a sent one shows
 * its decisions and whether it helped.
 */
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { CampaignView } from '../../../shared/contract/campaigns';
import { PageHeader, Problem } from '../components';
import { useCommand } from '../use-command';
import { CampaignDetail } from './campaigns/CampaignDetail';
import { CampaignForm } from './campaigns/CampaignForm';
import { CampaignList } from './campaigns/CampaignList';
import { type CampaignFormDraft, EMPTY_CAMPAIGN, toFormDraft } from './campaigns/draft';

export function CampaignsPage() {
  const list = useCommand('campaigns.list', {});
  const templates = useCommand('templates.list', {});
  const segments = useCommand('models.segments', {});
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState<CampaignFormDraft>();
  const [opened, setOpened] = useState(0);
  const [done, setDone] = useState<string>();
  const openId = Number(params.get('campaign')) || undefined;
  const campaigns = list.data ?? [];
  const shown = openId === undefined ? undefined : campaigns.find((c) => c.id === openId);

  // A draft opened by its link goes into the form; a sent one is shown.
  useEffect(() => {
    if (shown && shown.status === 'draft' && editing?.id !== shown.id) {
      setEditing(toFormDraft(shown));
      setOpened((x) => x + 1);
    }
  }, [shown, editing?.id]);

  const openCampaign = (id: number | undefined) => setParams(id === undefined ? {} : { campaign: String(id) });
  const startNew = () => {
    setDone(undefined);
    openCampaign(undefined);
    setEditing(EMPTY_CAMPAIGN);
    setOpened((x) => x + 1);
    requestAnimationFrame(() => document.getElementById('campaign-name')?.focus());
  };
  const open = (c: CampaignView) => {
    setDone(undefined);
    if (c.status !== 'draft') setEditing(undefined);
    openCampaign(c.id);
  };

  return (
    <section>
      <PageHeader title="Campaigns">
        A one-off message to a group of your customers: a segment, a tag, or any filter. Before you send, you see how
        many it reaches and what it costs. The same rules as automations apply: only customers who said yes to the
        channel, no more than 2 marketing messages a week, nothing at night.
      </PageHeader>
      <Problem error={list.error ?? templates.error} />
      {done ? (
        <div className="notice small success" role="status">
          {done}
        </div>
      ) : null}
      <section aria-labelledby="campaigns-heading" className="panel">
        <h2 id="campaigns-heading">Your campaigns</h2>
        {list.data === undefined ? (
          list.loading ? (
            <p>Loading…</p>
          ) : null
        ) : campaigns.length === 0 ? (
          <p className="muted" data-testid="no-campaigns">
            No campaign yet.
          </p>
        ) : (
          <CampaignList campaigns={campaigns} onOpen={open} />
        )}
        {editing ? null : (
          <button type="button" onClick={startNew}>
            New campaign
          </button>
        )}
      </section>
      {editing ? (
        <CampaignForm
          key={opened}
          initial={editing}
          templates={templates.data?.templates ?? []}
          segments={(segments.data ?? []).map((s) => s.name)}
          onSaved={(c, created) => {
            setDone(
              created
                ? `“${c.name}” saved as a draft. Nothing was sent: press Send now when you are ready.`
                : `“${c.name}” saved.`,
            );
            list.reload();
          }}
          onSent={(run) => {
            setEditing(undefined);
            setDone(`“${run.campaign.name}” sent. ${run.summary}`);
            openCampaign(run.campaign.id);
            list.reload();
          }}
          onCancel={() => {
            setEditing(undefined);
            openCampaign(undefined);
          }}
        />
      ) : null}
      {shown && shown.status !== 'draft' ? (
        <CampaignDetail key={shown.id} campaign={shown} onClose={() => openCampaign(undefined)} />
      ) : null}
      {templates.data && templates.data.templates.length === 0 ? (
        <p className="notice small">
          To send a campaign you need a template: write one in{' '}
          <Link to="/settings/templates">Settings → Channels → Message templates</Link>.
        </p>
      ) : null}
    </section>
  );
}
