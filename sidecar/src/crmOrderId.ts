// What a CRM order id may be before the sidecar stores or shows it, whichever way it came (an event,
// a verify answer, the CRM's answer to order.created): the same rule the plugin applies (Links.php).

/** Printable, at most 191 bytes, and nothing that opens markup. */
const CRM_ORDER_ID = /^[^\p{C}<>"']{1,191}$/u;

export function isValidCrmOrderId(value: string): boolean {
  return CRM_ORDER_ID.test(value) && Buffer.byteLength(value) <= 191;
}
