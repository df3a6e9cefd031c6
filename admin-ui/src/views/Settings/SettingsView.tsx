// Settings: the CRM connection, the status mapping, retention, the receiver's network limits, the
// uninstall choice, and the write-only secrets (with what wp-config.php needs to store them safely).
import { Button, Card, CardBody, CardHeader, CheckboxControl, Notice, SelectControl, Spinner, TextareaControl, TextControl, __experimentalNumberControl as NumberControl } from '@wordpress/components';
import { useCallback, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, getChoices, getConnectionTest, getSettings, requestConnectionTest, saveSettings, secretAction, type Choices, type SettingsDoc } from '../../api/client';
import { toApiError, useApi } from '../../components/useApi';

export function SettingsView() {
  const load = useCallback(() => getSettings(), []);
  const { data, setData, error, loading } = useApi(load);
  const choices = useApi(useCallback(() => getChoices(), []));
  if (loading && !data) return <Spinner />;
  if (!data) return <Notice status="error" isDismissible={false}>{sprintf(__('Could not load the settings: %s', 'crm-bridge'), error?.message ?? '')}</Notice>;
  return (
    <>
      {choices.error && <Notice status="error" isDismissible={false}>{sprintf(__('Could not load the WooCommerce statuses: %s', 'crm-bridge'), choices.error.message)}</Notice>}
      <EncryptionNotice encryption={data.encryption} />
      <ConnectionForm doc={data} statuses={choices.data?.statuses ?? []} onSaved={setData} />
      <SecretsPanel doc={data} onChanged={setData} />
    </>
  );
}

function ConnectionForm({ doc, statuses, onSaved }: { doc: SettingsDoc; statuses: Choices['statuses']; onSaved: (d: SettingsDoc) => void }) {
  const [crm, setCrm] = useState(doc.settings.crm);
  const [mapping, setMapping] = useState(Object.entries(doc.settings.mapping));
  const [retention, setRetention] = useState(doc.settings.retention_days);
  const [incoming, setIncoming] = useState(doc.settings.incoming);
  const [finals, setFinals] = useState(doc.settings.lifecycle.final_statuses.join(', '));
  const [allowed, setAllowed] = useState(doc.settings.lifecycle.allowed_transitions.map((p) => p.join(' > ')).join(', '));
  const [allowedIps, setAllowedIps] = useState(doc.settings.incoming.allowed_ips.join('\n'));
  const [proxies, setProxies] = useState(doc.settings.incoming.trusted_proxies.join('\n'));
  const [deleteOnUninstall, setDeleteOnUninstall] = useState(doc.settings.delete_data_on_uninstall);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [tokenCleared, setTokenCleared] = useState(false);
  const [saving, setSaving] = useState(false);
  const field = (path: string) => error?.fields[path];
  const lines = (v: string) => v.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

  const save = () => {
    setSaving(true);
    setSaved(false);
    const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
    saveSettings(doc.settings, {
      crm,
      incoming: { ...incoming, allowed_ips: lines(allowedIps), trusted_proxies: lines(proxies) },
      mapping: Object.fromEntries(mapping.filter(([k]) => k.trim() !== '')),
      lifecycle: { final_statuses: list(finals), allowed_transitions: list(allowed).map((pair) => pair.split('>').map((x) => x.trim())) },
      retention_days: retention,
      delete_data_on_uninstall: deleteOnUninstall,
    })
      .then((d) => {
        onSaved(d);
        setError(null);
        setSaved(true);
        setTokenCleared(d.crm_token_cleared === true);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setSaving(false));
  };

  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('CRM connection', 'crm-bridge')}</h2>
      </CardHeader>
      <CardBody>
        {error && <Notice status="error" isDismissible={false}>{error.message}</Notice>}
        {saved && <Notice status="success" onRemove={() => setSaved(false)}>{__('Settings saved.', 'crm-bridge')}</Notice>}
        {tokenCleared && (
          <Notice status="warning" onRemove={() => setTokenCleared(false)}>
            {__('The CRM host changed, so the stored CRM API token was removed: enter the token again under Secrets.', 'crm-bridge')}
          </Notice>
        )}
        <TextControl label={__('Receiver URL (give it to your CRM)', 'crm-bridge')} value={doc.receiver_url} readOnly onChange={() => undefined} __nextHasNoMarginBottom />
        <TextControl label={__('CRM API base URL', 'crm-bridge')} value={crm.base_url} onChange={(v) => setCrm({ ...crm, base_url: v })} help={field('crm.base_url')} type="url" __nextHasNoMarginBottom />
        <SelectControl
          label={__('Authentication', 'crm-bridge')}
          value={crm.auth_mode}
          options={[
            { value: 'bearer', label: __('Bearer token', 'crm-bridge') },
            { value: 'basic', label: __('Basic (user and token)', 'crm-bridge') },
            { value: 'header', label: __('Token in a header', 'crm-bridge') },
          ]}
          onChange={(v) => setCrm({ ...crm, auth_mode: v as typeof crm.auth_mode })}
          __nextHasNoMarginBottom
        />
        {crm.auth_mode === 'header' && <TextControl label={__('Header name', 'crm-bridge')} value={crm.auth_header} onChange={(v) => setCrm({ ...crm, auth_header: v })} help={field('crm.auth_header')} __nextHasNoMarginBottom />}
        {crm.auth_mode === 'basic' && <TextControl label={__('User', 'crm-bridge')} value={crm.basic_user} onChange={(v) => setCrm({ ...crm, basic_user: v })} help={field('crm.basic_user')} __nextHasNoMarginBottom />}
        <TextControl label={__('Order URL template', 'crm-bridge')} value={crm.order_url_template} onChange={(v) => setCrm({ ...crm, order_url_template: v })} help={field('crm.order_url_template') ?? __('For example /orders/{crm_order_id}', 'crm-bridge')} __nextHasNoMarginBottom />
        <SelectControl
          label={__('Order version', 'crm-bridge')}
          value={crm.version_source}
          options={[
            { value: 'version', label: __('An integer version field', 'crm-bridge') },
            { value: 'updated_at', label: __('The updated_at date', 'crm-bridge') },
          ]}
          onChange={(v) => setCrm({ ...crm, version_source: v as typeof crm.version_source })}
          __nextHasNoMarginBottom
        />
        <fieldset>
          <legend>{__('Where the CRM’s order API puts things (dotted JSON paths)', 'crm-bridge')}</legend>
          {(['status', 'version', 'updated_at', 'woo_order_id'] as const).map((k) => (
            <TextControl key={k} label={sprintf(__('Path to %s', 'crm-bridge'), k)} value={crm.paths[k]} onChange={(v) => setCrm({ ...crm, paths: { ...crm.paths, [k]: v } })} help={field(`crm.paths.${k}`)} __nextHasNoMarginBottom />
          ))}
        </fieldset>
        <SelectControl
          label={__('How the CRM signs its webhooks', 'crm-bridge')}
          value={incoming.signature_mode}
          options={[
            { value: 'standard_webhooks', label: __('Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)', 'crm-bridge') },
            { value: 'hmac', label: __('HMAC-SHA256 of the body in one header', 'crm-bridge') },
          ]}
          onChange={(v) => setIncoming({ ...incoming, signature_mode: v as typeof incoming.signature_mode })}
          help={field('incoming.signature_mode')}
          __nextHasNoMarginBottom
        />
        {incoming.signature_mode === 'hmac' && (
          <>
            <TextControl label={__('Signature header', 'crm-bridge')} value={incoming.hmac_header} onChange={(v) => setIncoming({ ...incoming, hmac_header: v })} help={field('incoming.hmac_header')} __nextHasNoMarginBottom />
            <SelectControl
              label={__('Signature encoding', 'crm-bridge')}
              value={incoming.hmac_encoding}
              options={[
                { value: 'hex', label: 'hex' },
                { value: 'base64', label: 'base64' },
              ]}
              onChange={(v) => setIncoming({ ...incoming, hmac_encoding: v as typeof incoming.hmac_encoding })}
              __nextHasNoMarginBottom
            />
            <TextControl
              label={__('Event id path in the body', 'crm-bridge')}
              value={incoming.event_id_path}
              onChange={(v) => setIncoming({ ...incoming, event_id_path: v })}
              help={field('incoming.event_id_path') ?? __('Required in HMAC mode: the id must come from the signed body.', 'crm-bridge')}
              __nextHasNoMarginBottom
            />
          </>
        )}
        <TextControl label={__('Final statuses (the CRM cannot move an order out of them)', 'crm-bridge')} value={finals} onChange={setFinals} help={field('lifecycle.final_statuses') ?? __('Comma separated, e.g. completed, cancelled, refunded', 'crm-bridge')} __nextHasNoMarginBottom />
        <TextControl label={__('Allowed moves out of a final status', 'crm-bridge')} value={allowed} onChange={setAllowed} help={field('lifecycle.allowed_transitions') ?? __('Comma separated pairs, e.g. completed > refunded', 'crm-bridge')} __nextHasNoMarginBottom />
        <fieldset>
          <legend>{__('Who may send events to the receiver', 'crm-bridge')}</legend>
          <TextareaControl
            label={__('Allowed sender addresses', 'crm-bridge')}
            value={allowedIps}
            onChange={setAllowedIps}
            help={field('incoming.allowed_ips') ?? __('IP addresses or CIDR ranges (IPv4 or IPv6), one a line. Empty: any address.', 'crm-bridge')}
            __nextHasNoMarginBottom
          />
          <TextareaControl
            label={__('Trusted proxies', 'crm-bridge')}
            value={proxies}
            onChange={setProxies}
            help={field('incoming.trusted_proxies') ?? __('CIDR ranges of your load balancers or proxies, one a line.', 'crm-bridge')}
            __nextHasNoMarginBottom
          />
          <TextControl
            label={__('Client address header', 'crm-bridge')}
            value={incoming.client_ip_header}
            onChange={(v) => setIncoming({ ...incoming, client_ip_header: v })}
            help={field('incoming.client_ip_header') ?? __('For example X-Forwarded-For; read only from a trusted proxy. Empty: none.', 'crm-bridge')}
            __nextHasNoMarginBottom
          />
        </fieldset>
        <NumberControl label={__('Retention (days)', 'crm-bridge')} value={retention} min={1} max={3650} onChange={(v?: string) => setRetention(Number(v))} help={field('retention_days')} />
        <fieldset className="crm-bridge-mapping">
          <legend>{__('Status mapping (CRM status → WooCommerce status)', 'crm-bridge')}</legend>
          {mapping.map(([crmStatus, wooStatus], i) => (
            <div key={i} className="crm-bridge-mapping-row">
              <TextControl label={__('CRM status', 'crm-bridge')} value={crmStatus} onChange={(v) => setMapping(mapping.map((m, j) => (j === i ? [v, m[1]] : m)))} __nextHasNoMarginBottom />
              <SelectControl
                label={__('WooCommerce status', 'crm-bridge')}
                value={wooStatus}
                options={statusOptions(statuses, wooStatus)}
                onChange={(v) => setMapping(mapping.map((m, j) => (j === i ? [m[0], v] : m)))}
                help={field(`mapping.${crmStatus}`)}
                __nextHasNoMarginBottom
              />
              <Button variant="tertiary" isDestructive onClick={() => setMapping(mapping.filter((_, j) => j !== i))}>
                {__('Remove', 'crm-bridge')}
              </Button>
            </div>
          ))}
          <Button variant="secondary" onClick={() => setMapping([...mapping, ['', 'processing']])}>
            {__('Add a status', 'crm-bridge')}
          </Button>
        </fieldset>
        <CheckboxControl
          label={__('Delete all CRM Bridge data (tables, settings, secrets, roles) when the plugin is deleted', 'crm-bridge')}
          checked={deleteOnUninstall}
          onChange={setDeleteOnUninstall}
          help={field('delete_data_on_uninstall') ?? __('Orders keep their notes either way.', 'crm-bridge')}
          __nextHasNoMarginBottom
        />
        <Button variant="primary" onClick={save} isBusy={saving} disabled={saving}>
          {__('Save settings', 'crm-bridge')}
        </Button>{' '}
        <ConnectionTest />
      </CardBody>
    </Card>
  );
}

/** The server's WooCommerce statuses, and the current one even if it is not among them (yet), so the choice shows as it is. */
function statusOptions(statuses: Choices['statuses'], current: string) {
  const options = statuses.map((s) => ({ value: s.value, label: s.label }));
  return options.some((o) => o.value === current) ? options : [{ value: current, label: current }, ...options];
}

/** Why secrets cannot be stored (with the line for wp-config.php), or that they are kept unencrypted. */
function EncryptionNotice({ encryption }: { encryption: SettingsDoc['encryption'] }) {
  if (encryption.problem) {
    return (
      <Notice status="error" isDismissible={false}>
        <span data-testid="encryption-problem">{encryption.problem}</span>
      </Notice>
    );
  }
  if (encryption.status === 'ok') return null;
  return (
    <Notice status="warning" isDismissible={false}>
      {encryption.status === 'short'
        ? sprintf(__('CRM_BRIDGE_ENCRYPTION_KEY in wp-config.php is shorter than %d characters and is not used: secrets are stored without encryption. Use a longer key, and give the sidecar the same value.', 'crm-bridge'), encryption.min_length)
        : __('CRM_BRIDGE_ENCRYPTION_KEY is not defined in wp-config.php: secrets are stored without encryption, which only a local environment allows. Define it, and give the sidecar the same value.', 'crm-bridge')}
    </Notice>
  );
}

function SecretsPanel({ doc, onChanged }: { doc: SettingsDoc; onChanged: (d: SettingsDoc) => void }) {
  const [token, setToken] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const act = (name: 'incoming_signing' | 'crm_api_token', action: 'set' | 'generate' | 'rotate' | 'revoke', value?: string) => {
    setShown(null);
    secretAction(name, action, value)
      .then((res) => {
        const { secret, ...rest } = res;
        onChanged(rest);
        setShown(secret);
        setToken('');
        setError(null);
      })
      .catch((err: unknown) => setError(toApiError(err)));
  };
  const state = (s: SettingsDoc['secrets']['crm_api_token']) =>
    s.set ? sprintf(__('Set, last changed %s.', 'crm-bridge'), s.rotated_at ?? '') + (s.previous_valid_until ? ' ' + sprintf(__('The previous one stays valid until %s.', 'crm-bridge'), s.previous_valid_until) : '') : __('Not set.', 'crm-bridge');
  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Secrets', 'crm-bridge')}</h2>
      </CardHeader>
      <CardBody>
        {error && <Notice status="error" isDismissible={false}>{error.fields.value ?? error.message}</Notice>}
        <h3>{__('CRM API token', 'crm-bridge')}</h3>
        <p data-testid="crm-token-state">{state(doc.secrets.crm_api_token)}</p>
        <TextControl label={__('New token', 'crm-bridge')} type="password" autoComplete="off" value={token} onChange={setToken} __nextHasNoMarginBottom />
        <Button variant="secondary" onClick={() => act('crm_api_token', 'set', token)} disabled={token === ''}>
          {__('Save token', 'crm-bridge')}
        </Button>{' '}
        {doc.secrets.crm_api_token.set && (
          <Button variant="tertiary" isDestructive onClick={() => act('crm_api_token', 'revoke')}>
            {__('Revoke', 'crm-bridge')}
          </Button>
        )}
        <h3>{__('Webhook signing secret (the CRM signs its events with it)', 'crm-bridge')}</h3>
        <p data-testid="signing-secret-state">{state(doc.secrets.incoming_signing)}</p>
        {doc.secrets.incoming_signing.problem === 'too_short' && (
          <Notice status="error" isDismissible={false}>
            <span data-testid="signing-secret-problem">{__('This secret is shorter than 24 bytes, so every signed event is refused. Rotate it (or generate a new one) and give the new secret to your CRM.', 'crm-bridge')}</span>
          </Notice>
        )}
        {shown && (
          <Notice status="info" isDismissible={false}>
            {__('Copy this secret into your CRM now; it is not shown again:', 'crm-bridge')} <code data-testid="shown-secret">{shown}</code>
          </Notice>
        )}
        <Button variant="secondary" onClick={() => act('incoming_signing', doc.secrets.incoming_signing.set ? 'rotate' : 'generate')}>
          {doc.secrets.incoming_signing.set ? __('Rotate (the old secret stays valid for a grace period)', 'crm-bridge') : __('Generate', 'crm-bridge')}
        </Button>{' '}
        {doc.secrets.incoming_signing.set && (
          <Button variant="tertiary" isDestructive onClick={() => act('incoming_signing', 'revoke')}>
            {__('Revoke', 'crm-bridge')}
          </Button>
        )}
      </CardBody>
    </Card>
  );
}

/** Asks the sidecar to call the CRM with the saved settings, and shows what it found. */
function ConnectionTest() {
  const [state, setState] = useState<{ status: 'info' | 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setState({ status: 'info', text: __('Asking the sidecar to call the CRM…', 'crm-bridge') });
    try {
      const { id } = await requestConnectionTest();
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const res = await getConnectionTest(id);
        if (res.done) {
          setState({ status: res.ok ? 'success' : 'error', text: res.message ?? '' });
          return;
        }
      }
      setState({ status: 'error', text: __('The sidecar did not answer within 15 seconds: is it running? See the health view.', 'crm-bridge') });
    } catch (err) {
      setState({ status: 'error', text: toApiError(err).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button variant="secondary" onClick={() => void run()} isBusy={busy} disabled={busy}>
        {__('Test connection', 'crm-bridge')}
      </Button>
      {state && (
        <div data-testid="connection-test" role="status">
          <Notice status={state.status} isDismissible={false}>
            {state.text}
          </Notice>
        </div>
      )}
    </>
  );
}
