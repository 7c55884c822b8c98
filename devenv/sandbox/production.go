//go:build production

package sandbox

import "github.com/grunnmur/grunnmur/site"

// Start is nil in a production build: no fake is linked, and site.Setup
// refuses to start while any outside service is unset.
var Start site.StartSandbox
