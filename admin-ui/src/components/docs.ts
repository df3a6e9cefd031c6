// Links from the admin screen to the README's sections, all built from one address so that they stay
// consistent: the plugin header's Plugin URI, where the README is published.
export const DOCS_URL = 'https://example.org/crm-bridge';

/** The README's heading as GitHub and most Markdown renderers anchor it (lower case, punctuation dropped, spaces to dashes). */
export function readmeAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The address of a README section, by its heading as written in the README. */
export const readmeUrl = (heading: string): string => `${DOCS_URL}#${readmeAnchor(heading)}`;
