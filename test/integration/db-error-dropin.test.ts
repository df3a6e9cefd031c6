// The db-error.php drop-in: installed on activation, never over a site's own, removed only when ours.
import { afterAll, describe, expect, it } from 'vitest';
import { wpEval, wpEvalJson } from '../support/stack.ts';

const state = () =>
  wpEvalJson<{ exists: boolean; ours: boolean; head: string }>(`
    $p = \\CrmBridge\\DbErrorDropin::path();
    echo wp_json_encode( array( 'exists' => file_exists( $p ), 'ours' => \\CrmBridge\\DbErrorDropin::is_ours(), 'head' => file_exists( $p ) ? substr( (string) file_get_contents( $p ), 0, 40 ) : '' ) );`);

afterAll(() => {
  wpEval(`if ( ! \\CrmBridge\\DbErrorDropin::is_ours() ) { wp_delete_file( \\CrmBridge\\DbErrorDropin::path() ); } \\CrmBridge\\DbErrorDropin::install();`);
});

describe('db-error.php drop-in', () => {
  it('is in place after activation, goes on deactivation, and comes back on activation', () => {
    expect(state()).toMatchObject({ exists: true, ours: true });
    wpEval(`\\CrmBridge\\Plugin::deactivate();`);
    expect(state()).toMatchObject({ exists: false });
    wpEval(`\\CrmBridge\\Plugin::activate();`);
    expect(state()).toMatchObject({ exists: true, ours: true });
  });

  it('never replaces or removes a db-error.php the site has of its own', () => {
    wpEval(`wp_delete_file( \\CrmBridge\\DbErrorDropin::path() ); file_put_contents( \\CrmBridge\\DbErrorDropin::path(), "<?php // the site's own page" );`);
    wpEval(`\\CrmBridge\\DbErrorDropin::install(); \\CrmBridge\\DbErrorDropin::remove();`);
    expect(state()).toMatchObject({ exists: true, ours: false, head: "<?php // the site's own page" });
  });
});
