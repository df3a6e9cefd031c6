// Which WooCommerce the demo runs: a release the user names, else the pinned release from wordpress.org,
// else (and only then, or when asked for) the stand-in, with the reason and the way to real WooCommerce.
// The decision is pure apart from the download it is handed.
import { z } from 'zod';
import { DownloadRefused } from './woocommerce-download.ts';

/** The demo's environment variables; an empty value counts as unset. */
export const DemoEnv = z.object({
  CRM_BRIDGE_WOOCOMMERCE: z.string().trim().optional().transform((v) => v || undefined),
  CRM_BRIDGE_HPOS: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => v || 'on')
    .pipe(z.enum(['on', 'off'], { message: 'CRM_BRIDGE_HPOS must be on or off' })),
  CRM_BRIDGE_DEMO_STACK: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || 'demo')
    .pipe(z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'CRM_BRIDGE_DEMO_STACK must be a short name of lower-case letters, digits and dashes')),
});
export type DemoEnv = z.infer<typeof DemoEnv>;

export type DemoWooCommerce =
  | { kind: 'release'; source: string; origin: 'given' | 'downloaded'; hpos: 'on' | 'off' }
  | { kind: 'standin'; onPurpose: boolean; why: string };

export const STANDIN_KEYWORD = 'standin';

/** How to get real WooCommerce, said wherever the stand-in runs. */
export const HOW_TO_GET_REAL =
  'For real WooCommerce, set CRM_BRIDGE_WOOCOMMERCE to an extracted release folder or a wordpress.org zip ' +
  '(for example woocommerce.9.4.3.zip; see "Real WooCommerce in the stack" in the README) and run the demo again.';

/**
 * The choice for env: CRM_BRIDGE_WOOCOMMERCE names a release (used as given: a wrong path is an error,
 * not a reason to fall back) or 'standin'; unset, the pinned release is downloaded, and a refused
 * download falls back to the stand-in with its reason. Other errors of the download propagate.
 */
export async function chooseDemoWooCommerce(env: DemoEnv, downloadPinned: () => Promise<string>): Promise<DemoWooCommerce> {
  const given = env.CRM_BRIDGE_WOOCOMMERCE;
  if (given?.toLowerCase() === STANDIN_KEYWORD) {
    return { kind: 'standin', onPurpose: true, why: `CRM_BRIDGE_WOOCOMMERCE=${STANDIN_KEYWORD} asks for it` };
  }
  if (given) return { kind: 'release', source: given, origin: 'given', hpos: env.CRM_BRIDGE_HPOS };
  try {
    return { kind: 'release', source: await downloadPinned(), origin: 'downloaded', hpos: env.CRM_BRIDGE_HPOS };
  } catch (err) {
    if (!(err instanceof DownloadRefused)) throw err;
    return { kind: 'standin', onPurpose: false, why: `no CRM_BRIDGE_WOOCOMMERCE was given and the download was refused: ${err.message}` };
  }
}

/** What the demo says when it runs the stand-in: in the terminal and in a notice on every wp-admin page. */
export function standinWarning(choice: Extract<DemoWooCommerce, { kind: 'standin' }>): string {
  return (
    'This demo runs the WooCommerce stand-in, a test double with no Orders screen, products screen or e-mails, ' +
    `not WooCommerce (${choice.why}). ${HOW_TO_GET_REAL}`
  );
}
