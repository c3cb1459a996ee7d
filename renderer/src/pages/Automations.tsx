import { NotBuiltYet } from '../components';

export function AutomationsPage() {
  return (
    <NotBuiltYet title="Automations">
      When it is, you will set up messages by WhatsApp, email or SMS that go out on their own: to customers drifting
      away, carts left behind, products someone keeps looking at, and spending milestones.
    </NotBuiltYet>
  );
}
