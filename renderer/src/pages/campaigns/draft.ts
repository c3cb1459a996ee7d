/**
 * The campaign form's draft: what the form holds as typed (the audience reuses the automation editor's conditions
 * draft, so the same fields read the same way), and the conversions into what `campaigns.save` and
 * `campaigns.preview` take. The backend names a refused audience field `audience.…`; the conditions fields know them
 * as `conditions.…` (`placeAudienceError` renames it so the message shows beside its field).
 */
import type { CampaignInput, CampaignView } from '../../../../shared/contract/campaigns';
import { AppError } from '../../../../shared/contract/errors';
import {
  toDraft as automationDraft,
  type Channel,
  type ConditionsDraft,
  EMPTY_CONDITIONS,
  readNumber,
  toConditions,
} from '../automations/draft';

export interface CampaignFormDraft {
  id?: number;
  name: string;
  conditions: ConditionsDraft;
  channel: Channel;
  templateId: string;
  orNextConsented: boolean;
  holdoutPercent: string;
}

export const EMPTY_CAMPAIGN: CampaignFormDraft = {
  name: '',
  conditions: EMPTY_CONDITIONS,
  channel: 'email',
  templateId: '',
  orNextConsented: false,
  holdoutPercent: '10',
};

export function toFormDraft(c: CampaignView): CampaignFormDraft {
  // The automation draft's conversion of conditions, with a stand-in trigger and action it ignores here.
  const { conditions } = automationDraft({
    name: c.name,
    trigger: { type: 'first_purchase' },
    conditions: c.audience,
    actions: [],
  });
  return {
    id: c.id,
    name: c.name,
    conditions,
    channel: c.message.channel,
    templateId: String(c.message.templateId),
    orNextConsented: c.message.orNextConsented,
    holdoutPercent: String(c.holdoutPercent),
  };
}

/** Who and what, without the name (what the preview takes). */
export function toPreviewInput(d: CampaignFormDraft): Omit<CampaignInput, 'id' | 'name'> {
  return {
    audience: toConditions(d.conditions),
    // None chosen goes as 0, which the contract refuses with "Choose a template".
    message: {
      channel: d.channel,
      templateId: d.templateId === '' ? 0 : Number(d.templateId),
      orNextConsented: d.orNextConsented,
    },
    holdoutPercent: readNumber(d.holdoutPercent) ?? Number.NaN,
  };
}

export function toInput(d: CampaignFormDraft): CampaignInput {
  return { ...(d.id ? { id: d.id } : {}), name: d.name, ...toPreviewInput(d) };
}

export function placeAudienceError(error: AppError): AppError {
  if (!error.field?.startsWith('audience.')) return error;
  return new AppError(error.kind, error.message, `conditions.${error.field.slice('audience.'.length)}`);
}
