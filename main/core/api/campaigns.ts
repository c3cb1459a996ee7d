/** Handlers for `campaigns.*`: the shop's campaigns, the preview before Send, saving a draft, Send, deleting a draft. */
import { previewCampaign } from '../campaigns/preview';
import { sendCampaign } from '../campaigns/send';
import { campaignView, deleteCampaign, listCampaigns, saveCampaign } from '../campaigns/store';
import { handlers } from './registry';

export const campaignsHandlers = handlers({
  'campaigns.list': (_input, ctx) => listCampaigns(ctx),

  'campaigns.get': ({ id }, ctx) => campaignView(ctx, id),

  'campaigns.preview': (input, ctx) => previewCampaign(ctx, input),

  'campaigns.save': (input, ctx) => saveCampaign(ctx, input),

  'campaigns.send': ({ id }, ctx) => sendCampaign(ctx, id),

  'campaigns.delete': ({ id }, ctx) => ({ deleted: deleteCampaign(ctx, id) }),
});
