// The demo's "Try:" block: five things to try, each a block of shell commands that works pasted as a
// whole (it waits for what it shows and undoes the CRM simulator's knobs it turned), and the hint
// that says where the events are. test/integration/demo-things-to-try.test.ts runs them as printed.

export interface ThingsToTryValues {
  siteUrl: string;
  adminUser: string;
  /** An application password of the admin user: the commands call WooCommerce's and the plugin's REST API. */
  adminAppPassword: string;
  crmUrl: string;
  /** The three seeded WooCommerce orders, which are CRM-1001, CRM-1002 and CRM-1003. */
  orderIds: readonly [number, number, number];
  /** The sidecar's environment, for `crm-bridge reconcile` run by hand. */
  envFile: string;
  /** Absolute path of sidecar/dist/main.js, so the commands work from any directory. */
  sidecarMain: string;
  /** The day (YYYY-MM-DD, UTC) the seeded orders were created. */
  since: string;
  /** A product to order in step 4; without one, step 4 creates it first. */
  productId?: number;
}

interface Step {
  title: string;
  /** One shell command each; a command may span lines joined with a trailing backslash. */
  commands: string[];
}

const json = `-H 'content-type: application/json'`;
/** Reads the id from a JSON answer on stdin (node is there: the demo runs on it). */
const idOf = `node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).id'`;

export function thingsToTry(v: ThingsToTryValues): string {
  const wp = `curl -s -u '${v.adminUser}:${v.adminAppPassword}'`;
  const crmSets = (crmOrderId: string, body: string) => `curl -s -w '\\n' -X PUT ${json} -d '${body}' ${v.crmUrl}/admin/orders/${crmOrderId}`;
  // The order's status as WooCommerce's REST API reports it, printed once it is the one expected.
  const untilOrderIs = (orderId: number | string, status: string) =>
    `until ${wp} '${v.siteUrl}/wp-json/wc/v3/orders/${orderId}?_fields=id,status' | grep '"status":"${status}"'; do sleep 0.5; done`;
  const [first, second, third] = v.orderIds;
  const newOrder = (productId: string) =>
    `order=$(${wp} ${json} \\\n-d '{"status":"processing","line_items":[{"product_id":${productId},"quantity":1}]}' ${v.siteUrl}/wp-json/wc/v3/orders | ${idOf})`;

  const steps: Step[] = [
    {
      title: `Mark CRM-1001 paid in the CRM; within a second order ${first} is "processing":`,
      commands: [crmSets('CRM-1001', '{"status":"paid"}'), untilOrderIs(first, 'processing')],
    },
    {
      title: `Make the CRM flaky and send a burst: the sidecar retries with backoff, nothing is lost or applied twice, and order ${second} is "completed". The last command makes the CRM reliable again:`,
      commands: [
        `curl -s -w '\\n' -X POST ${json} -d '{"errorRate":0.5,"duplicates":3}' ${v.crmUrl}/admin/knobs`,
        crmSets('CRM-1002', '{"status":"shipped"}'),
        untilOrderIs(second, 'completed'),
        `curl -s -w '\\n' -X DELETE ${v.crmUrl}/admin/knobs`,
      ],
    },
    {
      title: `Ship CRM-1003, then send the completed order back to "paid": the move is refused and logged:`,
      commands: [
        crmSets('CRM-1003', '{"status":"shipped"}'),
        untilOrderIs(third, 'completed'),
        crmSets('CRM-1003', '{"status":"paid"}'),
        `until ${wp} '${v.siteUrl}/wp-json/crm-bridge/v1/admin/log?crm_order_id=CRM-1003&decision=refused&per_page=1' | grep -o '"message":"[^"]*"'; do sleep 0.5; done`,
      ],
    },
    {
      title: 'Create an order in the shop: within a second the CRM has it (order.created, signed and verified), and the order is linked to its CRM record:',
      commands: [
        ...(v.productId
          ? [newOrder(String(v.productId))]
          : [`product=$(${wp} ${json} -d '{"name":"Kettle","type":"simple","regular_price":"49.00"}' ${v.siteUrl}/wp-json/wc/v3/products | ${idOf})`, newOrder(`'"$product"'`)]),
        `until curl -s "${v.crmUrl}/admin/webhooks?order_id=$order" | grep '"verified":true'; do sleep 0.5; done`,
      ],
    },
    {
      title: `Lose a webhook (the CRM cancels CRM-1001 without telling the shop), then reconcile: order ${first} is "cancelled":`,
      commands: [crmSets('CRM-1001', '{"status":"cancelled","send_webhook":false}'), `(set -a; . '${v.envFile}'; node '${v.sidecarMain}' reconcile --from ${v.since})`],
    },
  ];

  const indent = (command: string) => command.split('\n').map((line, i) => `${i === 0 ? '       ' : '         '}${line}`).join('\n');
  return [
    'Try:',
    ...steps.map((s, i) => `  ${i + 1}. ${s.title}\n${s.commands.map(indent).join('\n')}`),
    `  Every event, and what became of it, is in the Sync log: ${v.siteUrl}/wp-admin/admin.php?page=crm-bridge&tab=log`,
  ].join('\n');
}
