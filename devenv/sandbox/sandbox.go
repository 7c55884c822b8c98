//go:build !production

package sandbox

import (
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/site"
)

// Start is site.Options.Sandbox: devenv.Sandbox, every fake on a free
// loopback port. A build with -tags production leaves it nil.
var Start site.StartSandbox = devenv.Sandbox
