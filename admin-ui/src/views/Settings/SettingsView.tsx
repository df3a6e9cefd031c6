// Settings: every setting of the settings schema in sections (connection, signature, JSON paths,
// mapping, lifecycle, retries, outgoing, retention), each error beside its field, and the write-only
// secrets (with what wp-config.php needs to store them safely).
import { Button, Card, CardBody, CardHeader, CheckboxControl, Notice, SelectControl, Spinner, TextareaControl, TextControl } from '@wordpress/components';
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { ApiError, getChoices, getConnectionTest, getSettings, requestConnectionTest, saveSettings, secretAction, sendTestAlert, type Choices, type SecretName, type ConnectionTestDetail, type ConnectionTestRequest, type SettingsDoc, type SettingsPatch } from '../../api/client';
import { Field, focusFirstError, invalidProps } from '../../components/Field';
import { readmeUrl } from '../../components/docs';
import { FieldList } from '../../components/FieldList';
import { fromDraft, schemaHelp, schemaNode, toDraft, type Draft } from './schemaForm';
import { FIELD_PATHS, SECTIONS, type FieldSpec } from './sections';
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
      <SettingsForm doc={data} statuses={choices.data?.statuses ?? []} onSaved={setData} />
      <SecretsPanel doc={data} onChanged={setData} />
    </>
  );
}

function SettingsForm({ doc, statuses, onSaved }: { doc: SettingsDoc; statuses: Choices['statuses']; onSaved: (d: SettingsDoc) => void }) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(doc.settings, FIELD_PATHS));
  const [mapping, setMapping] = useState(Object.entries(doc.settings.mapping));
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [tokenCleared, setTokenCleared] = useState(false);
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLDivElement>(null);
  // A connection test refused for its settings marks them as a refused save does.
  const [testFields, setTestFields] = useState<Record<string, string>>({});
  const fields = { ...testFields, ...error?.fields };
  // The first field in error takes focus once the errors are on the page.
  useEffect(() => focusFirstError(form.current), [error, testFields]);
  const shown = (f: FieldSpec) => f.shownIf?.(draft) ?? true;
  // Errors no visible field shows (a hidden field's, or a key the page does not have) go in the notice.
  const onPage = new Set([...SECTIONS.flatMap((s) => s.fields.filter(shown).map((f) => f.path)), 'mapping', ...mapping.map(([k]) => `mapping.${k}`)]);
  const elsewhere = Object.entries(fields).filter(([path]) => !onPage.has(path));

  const current = () => ({ ...fromDraft(doc.settings, draft), mapping: Object.fromEntries(mapping.filter(([k]) => k.trim() !== '')) }) as SettingsPatch;
  const save = () => {
    setSaving(true);
    setSaved(false);
    const settings = current();
    saveSettings(doc.settings, settings)
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
    <div ref={form} className="crm-bridge-settings">
      {SECTIONS.map((section) => (
        <Card key={section.id} className="crm-bridge-card crm-bridge-settings-section" data-section={section.id}>
          <CardHeader>
            <h2>{section.title}</h2>
          </CardHeader>
          <CardBody>
            <p className="crm-bridge-settings-help">
              {section.help}{' '}
              <a href={readmeUrl(section.readme)} target="_blank" rel="noreferrer">
                {sprintf(__('README: %s', 'crm-bridge'), section.readme)}
              </a>
            </p>
            {section.id === 'connection' && <TextControl label={__('Receiver URL (give it to your CRM)', 'crm-bridge')} value={doc.receiver_url} readOnly onChange={() => undefined} __nextHasNoMarginBottom />}
            {section.fields.filter(shown).map((f) => (
              <SchemaField key={f.path} spec={f} value={draft[f.path] ?? ''} error={fields[f.path]} onChange={(v) => setDraft({ ...draft, [f.path]: v })} />
            ))}
            {section.id === 'mapping' && <MappingRows mapping={mapping} setMapping={setMapping} statuses={statuses} fields={fields} />}
            {section.id === 'connection' && <ConnectionTest settings={current()} onFieldErrors={setTestFields} />}
          </CardBody>
        </Card>
      ))}
      <div className="crm-bridge-settings-save">
        <Button variant="primary" onClick={save} isBusy={saving} disabled={saving}>
          {__('Save settings', 'crm-bridge')}
        </Button>
        <div className="crm-bridge-settings-save-notice" role="status">
          {error && (
            <Notice status="error" isDismissible={false}>
              {Object.keys(fields).length > 0 ? sprintf(_n('Nothing was saved: %d setting needs attention (marked in red).', 'Nothing was saved: %d settings need attention (marked in red).', Object.keys(fields).length, 'crm-bridge'), Object.keys(fields).length) : error.message}
              {elsewhere.length > 0 && (
                <ul>
                  {elsewhere.map(([path, message]) => (
                    <li key={path}>
                      <code>{path}</code>: {message}
                    </li>
                  ))}
                </ul>
              )}
            </Notice>
          )}
          {saved && <Notice status="success" onRemove={() => setSaved(false)}>{__('Settings saved.', 'crm-bridge')}</Notice>}
          {tokenCleared && (
            <Notice status="warning" onRemove={() => setTokenCleared(false)}>
              {__('The CRM host changed, so the stored CRM API token was removed: enter the token again under Secrets.', 'crm-bridge')}
            </Notice>
          )}
        </div>
      </div>
    </div>
  );
}

/** One setting, drawn by its kind in the schema: a choice, a checkbox, a list, a whole number or text. */
function SchemaField({ spec, value, error, onChange }: { spec: FieldSpec; value: string | boolean; error: string | undefined; onChange: (v: string | boolean) => void }) {
  const node = schemaNode(spec.path);
  const common = { label: spec.label, help: schemaHelp(spec.path, spec.help), __nextHasNoMarginBottom: true, ...invalidProps(spec.path, error) };
  let control: JSX.Element;
  if (typeof value === 'boolean') control = <CheckboxControl {...common} checked={value} onChange={onChange} />;
  else if (node.enum) control = <SelectControl {...common} value={value} options={node.enum.map((v) => ({ value: v, label: spec.options?.[v] ?? v }))} onChange={onChange} />;
  else if (node.type === 'array') control = <TextareaControl {...common} value={value} onChange={onChange} rows={3} />;
  // A plain number input: it keeps what is typed (no clamping to the bounds), so a value out of range is refused, not changed.
  else if (node.type === 'integer') control = <TextControl {...common} type="number" inputMode="numeric" value={value} onChange={onChange} />;
  else control = <TextControl {...common} value={value} onChange={onChange} />;
  return (
    <Field path={spec.path} error={error}>
      {control}
    </Field>
  );
}

function MappingRows({ mapping, setMapping, statuses, fields }: { mapping: [string, string][]; setMapping: (m: [string, string][]) => void; statuses: Choices['statuses']; fields: Record<string, string> }) {
  return (
    <Field path="mapping" error={fields['mapping']}>
      <fieldset className="crm-bridge-mapping">
        <legend>{__('CRM status → WooCommerce status', 'crm-bridge')}</legend>
        {mapping.map(([crmStatus, wooStatus], i) => (
          <Field key={i} path={`mapping.${crmStatus}`} error={fields[`mapping.${crmStatus}`]}>
            <div className="crm-bridge-mapping-row">
              <TextControl label={__('CRM status', 'crm-bridge')} value={crmStatus} onChange={(v) => setMapping(mapping.map((m, j) => (j === i ? [v, m[1]] : m)))} __nextHasNoMarginBottom />
              <SelectControl
                label={__('WooCommerce status', 'crm-bridge')}
                value={wooStatus}
                options={statusOptions(statuses, wooStatus)}
                onChange={(v) => setMapping(mapping.map((m, j) => (j === i ? [m[0], v] : m)))}
                {...invalidProps(`mapping.${crmStatus}`, fields[`mapping.${crmStatus}`])}
                __nextHasNoMarginBottom
              />
              <Button variant="tertiary" isDestructive onClick={() => setMapping(mapping.filter((_, j) => j !== i))}>
                {__('Remove', 'crm-bridge')}
              </Button>
            </div>
          </Field>
        ))}
        <Button variant="secondary" onClick={() => setMapping([...mapping, ['', 'processing']])}>
          {__('Add a status', 'crm-bridge')}
        </Button>
      </fieldset>
    </Field>
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
  const [webhook, setWebhook] = useState('');
  const act = (name: SecretName, action: 'set' | 'generate' | 'rotate' | 'revoke', value?: string) => {
    setShown(null);
    secretAction(name, action, value)
      .then((res) => {
        const { secret, ...rest } = res;
        onChanged(rest);
        setShown(secret);
        setToken('');
        setWebhook('');
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
        <TypedSecret name="crm_api_token" testId="crm-token-state" state={state(doc.secrets.crm_api_token)} isSet={doc.secrets.crm_api_token.set} label={__('New token', 'crm-bridge')} save={__('Save token', 'crm-bridge')} value={token} setValue={setToken} act={act} />
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
        <h3>{__('Alert webhook (Slack-compatible)', 'crm-bridge')}</h3>
        <p>{__('Alerts (a subscription disabled, deliveries given up) go to the site admin by e-mail and, when set, to this webhook as {"text": …}. Its URL is a credential: it is stored encrypted and never shown again.', 'crm-bridge')}</p>
        <TypedSecret name="alerts_webhook_url" testId="alert-webhook-state" state={state(doc.secrets.alerts_webhook_url)} isSet={doc.secrets.alerts_webhook_url.set} label={__('Webhook URL', 'crm-bridge')} save={__('Save webhook URL', 'crm-bridge')} value={webhook} setValue={setWebhook} act={act}>
          <TestAlert />
        </TypedSecret>
      </CardBody>
    </Card>
  );
}

type TestState = { status: 'info' | 'success' | 'error'; text: string; detail?: ConnectionTestDetail | null } | null;

/** The failing step's name, as the result names it. */
const STEP_NAMES: Record<string, string> = {
  request: __('Request', 'crm-bridge'),
  url: __('Order URL', 'crm-bridge'),
  address: __('Address check', 'crm-bridge'),
  dns: __('DNS', 'crm-bridge'),
  connection: __('Connection', 'crm-bridge'),
  tls: __('TLS', 'crm-bridge'),
  timeout: __('Timeout', 'crm-bridge'),
  redirect: __('Redirect', 'crm-bridge'),
  http: __('HTTP status', 'crm-bridge'),
  response: __('Response', 'crm-bridge'),
  json_path: __('JSON path', 'crm-bridge'),
  mapping: __('Status mapping', 'crm-bridge'),
};

/**
 * Asks the sidecar to fetch one real CRM order with the connection settings on the screen, saved or
 * not, and shows what it read or the step that failed. A result goes away when a setting it tested changes.
 */
function ConnectionTest({ settings, onFieldErrors }: { settings: SettingsPatch; onFieldErrors: (fields: Record<string, string>) => void }) {
  const [state, setState] = useState<TestState>(null);
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState('');
  const [orderId, setOrderId] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const tested: ConnectionTestRequest = { settings: { crm: settings.crm, mapping: settings.mapping as Record<string, string> }, crm_token: token, crm_order_id: orderId };
  const key = JSON.stringify(tested);
  // Any change to what would be tested makes the shown result stale.
  useEffect(() => setState(null), [key]);
  const run = async () => {
    setBusy(true);
    setFields({});
    onFieldErrors({});
    setState({ status: 'info', text: __('Asking the sidecar to fetch the order from the CRM…', 'crm-bridge') });
    try {
      const { id } = await requestConnectionTest(tested);
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const res = await getConnectionTest(id);
        if (res.done) {
          setState({ status: res.ok ? 'success' : 'error', text: res.message ?? '', detail: res.detail ?? null });
          return;
        }
      }
      setState({ status: 'error', text: __('The sidecar did not answer within 15 seconds: is it running? See the health view.', 'crm-bridge') });
    } catch (err) {
      const error = toApiError(err);
      setFields(error.fields);
      // Errors of the settings show beside their fields, as a save's do.
      const { crm_token: _token, crm_order_id: _order, ...settingFields } = error.fields;
      onFieldErrors(settingFields);
      setState({ status: 'error', text: Object.keys(error.fields).length > 0 ? __('Nothing was tested: the settings marked in red need attention.', 'crm-bridge') : error.message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="crm-bridge-connection-test">
      <Field path="crm_order_id" error={fields.crm_order_id}>
        <TextControl
          label={__('CRM order id to fetch', 'crm-bridge')}
          help={__('An order that exists in your CRM. Left blank: the order linked last.', 'crm-bridge')}
          value={orderId}
          onChange={setOrderId}
          __nextHasNoMarginBottom
          {...invalidProps('crm_order_id', fields.crm_order_id)}
        />
      </Field>
      <Field path="crm_token" error={fields.crm_token}>
        <TextControl
          label={__('CRM API token to test with', 'crm-bridge')}
          help={__('Left blank: the saved token (never sent to an address other than the saved one). Not saved by the test.', 'crm-bridge')}
          type="password"
          autoComplete="off"
          value={token}
          onChange={setToken}
          __nextHasNoMarginBottom
          {...invalidProps('crm_token', fields.crm_token)}
        />
      </Field>
      <Button variant="secondary" onClick={() => void run()} isBusy={busy} disabled={busy}>
        {__('Test connection', 'crm-bridge')}
      </Button>
      {state && (
        <div data-testid="connection-test" role="status">
          <Notice status={state.status} isDismissible={false}>
            {state.detail?.step && <strong>{sprintf(__('Failed at: %s. ', 'crm-bridge'), STEP_NAMES[state.detail.step] ?? state.detail.step)}</strong>}
            {state.text}
          </Notice>
          {state.detail && <TestDetailList detail={state.detail} />}
        </div>
      )}
    </div>
  );
}

/** What the sidecar read from the CRM's answer, labelled. */
function TestDetailList({ detail }: { detail: ConnectionTestDetail }) {
  const rows: [string, string | number | null][] = [
    [__('Order URL', 'crm-bridge'), detail.url],
    [__('HTTP status', 'crm-bridge'), detail.http_status],
    [__('JSON path', 'crm-bridge'), detail.path === null ? null : sprintf(__('%1$s (found %2$s)', 'crm-bridge'), detail.path, detail.found ?? '')],
    [__('CRM status', 'crm-bridge'), detail.status],
    [detail.version_source === 'updated_at' ? __('Updated at', 'crm-bridge') : __('Version', 'crm-bridge'), detail.version_source === 'updated_at' ? detail.updated_at : detail.version],
    [__('WooCommerce status', 'crm-bridge'), detail.woo_status ?? (detail.step === 'mapping' ? __('(not mapped)', 'crm-bridge') : null)],
  ];
  return <FieldList fields={rows} className="crm-bridge-connection-test-detail" testId="connection-test-detail" />;
}

/** Sends a test alert to the webhook and says whether it arrived. */
function TestAlert() {
  const [result, setResult] = useState<{ status: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const send = () => {
    setBusy(true);
    sendTestAlert()
      .then((r) => setResult(r.sent ? { status: 'success', text: sprintf(__('Test alert delivered (HTTP %d).', 'crm-bridge'), r.status ?? 0) } : { status: 'error', text: sprintf(__('Test alert not delivered: %s', 'crm-bridge'), r.error ?? '') }))
      .catch((err: unknown) => setResult({ status: 'error', text: toApiError(err).message }))
      .finally(() => setBusy(false));
  };
  return (
    <>
      <Button variant="secondary" onClick={send} isBusy={busy} disabled={busy}>
        {__('Send test alert', 'crm-bridge')}
      </Button>
      {result && (
        <div data-testid="test-alert" role="status">
          <Notice status={result.status} isDismissible={false}>
            {result.text}
          </Notice>
        </div>
      )}
    </>
  );
}

/** A secret typed in (write-only): its state, a field, Save, and Revoke once set, with what else it offers then. */
function TypedSecret(props: {
  name: SecretName;
  testId: string;
  state: string;
  isSet: boolean;
  label: string;
  save: string;
  value: string;
  setValue: (v: string) => void;
  act: (name: SecretName, action: 'set' | 'revoke', value?: string) => void;
  children?: JSX.Element;
}) {
  return (
    <>
      <p data-testid={props.testId}>{props.state}</p>
      <TextControl label={props.label} type="password" autoComplete="off" value={props.value} onChange={props.setValue} __nextHasNoMarginBottom />
      <Button variant="secondary" onClick={() => props.act(props.name, 'set', props.value)} disabled={props.value === ''}>
        {props.save}
      </Button>{' '}
      {props.isSet && (
        <>
          {props.children}{' '}
          <Button variant="tertiary" isDestructive onClick={() => props.act(props.name, 'revoke')}>
            {__('Revoke', 'crm-bridge')}
          </Button>
        </>
      )}
    </>
  );
}
