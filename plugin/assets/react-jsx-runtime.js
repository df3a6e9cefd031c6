/**
 * ReactJSXRuntime for WordPress before 6.6, which does not register the `react-jsx-runtime` script that
 * code built by @wordpress/scripts expects. Implements jsx/jsxs on top of the React WordPress ships.
 */
( function ( React ) {
	if ( window.ReactJSXRuntime || ! React ) {
		return;
	}
	function jsx( type, props, key ) {
		return React.createElement( type, key === undefined ? props : Object.assign( {}, props, { key: key } ) );
	}
	window.ReactJSXRuntime = { jsx: jsx, jsxs: jsx, Fragment: React.Fragment };
} )( window.React );
