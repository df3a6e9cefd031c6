// What "Test connection" tells an admin when the sidecar refuses the CRM's address.
import { describe, expect, it } from 'vitest';
import { describeProbe } from '../../sidecar/src/incoming/connectionTest.ts';
import { AddressRefusedError } from '../../sidecar/src/net/errors.ts';

describe('connection test and refused addresses', () => {
  it('names the refused address and the switch that allows a CRM on a private network', () => {
    const refused = new AddressRefusedError('crm.internal', '10.0.0.5', 'private address (private addresses are not allowed)', true);
    expect(describeProbe({ error: refused }, 3)).toEqual({
      ok: false,
      message: "address refused: crm.internal is 10.0.0.5, private address (private addresses are not allowed). A CRM on a private network needs CRM_BRIDGE_ALLOW_PRIVATE_URLS=1 in the sidecar's environment.",
    });
  });

  it('does not suggest the switch for addresses it never opens', () => {
    const refused = new AddressRefusedError('metadata.internal', '169.254.169.254', 'linkLocal address', false);
    expect(describeProbe({ error: refused }, 3)).toEqual({ ok: false, message: 'address refused: metadata.internal is 169.254.169.254, linkLocal address' });
  });
});
