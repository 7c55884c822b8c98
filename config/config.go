// Package config reads a service's configuration from environment variables,
// the same way in every grunnmur package.
//
// Each client package has a ConfigFromEnv(prefix, getenv) that reads its
// variables under a prefix such as "GRUNNMUR_VIPPS_" (the names are listed in
// each package's doc). When none of them is set, it returns an error that
// matches [ErrUnset], so a service can tell "not configured" (start a fake in
// development, refuse to start in production) from "configured wrongly".
//
//	cfg, err := vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", os.Getenv)
//	switch {
//	case errors.Is(err, config.ErrUnset):
//		// not configured: use a fake in development
//	case err != nil:
//		return err // a variable is malformed; the error names it
//	}
//
// A [Reader] is what those functions are written with, and a service can use
// it for its own variables:
//
//	r := config.NewReader("MYAPP_", os.Getenv)
//	addr := r.String("ADDR")
//	key := r.Secret("HMAC_KEY") // or the file named by MYAPP_HMAC_KEY_FILE
//	every := r.Duration("POLL_EVERY")
//	if err := r.Err(); err != nil {
//		return err
//	}
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/secret"
)

// ErrUnset means that none of a configuration's variables is set.
var ErrUnset = errors.New("config: not set")

// Reader reads variables under one prefix and collects what is wrong with
// them. Its methods return the zero value for a variable that is unset or
// malformed; [Reader.Err] reports every malformed one.
type Reader struct {
	prefix string
	getenv func(string) string
	set    bool
	errs   []error
}

// NewReader returns a Reader of the variables prefix+name. A nil getenv
// means os.Getenv.
func NewReader(prefix string, getenv func(string) string) *Reader {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Reader{prefix: prefix, getenv: getenv}
}

func (r *Reader) get(name string) string {
	v := strings.TrimSpace(r.getenv(r.prefix + name))
	if v != "" {
		r.set = true
	}
	return v
}

func (r *Reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("config: %s%s: %s", r.prefix, name, fmt.Sprintf(format, args...)))
}

// String returns the variable, with surrounding space removed.
func (r *Reader) String(name string) string { return r.get(name) }

// Secret returns the secret in the variable, or in the file named by the
// variable name+"_FILE". Setting both is an error.
func (r *Reader) Secret(name string) secret.Value {
	v, err := secret.FromEnv(r.getenv, r.prefix+name)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("config: %w", err))
		r.set = true
		return secret.Value{}
	}
	if !v.IsZero() {
		r.set = true
	}
	return v
}

// URL returns the variable, which must be an absolute http or https URL with
// a host. An error shows the URL without its user info and query.
func (r *Reader) URL(name string) string {
	v := r.get(name)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.fail(name, "%s is not an absolute http(s) URL", httpx.SafeURL(v))
		return ""
	}
	return v
}

// Duration returns the variable read by time.ParseDuration ("30s", "5m").
// A negative duration is an error.
func (r *Reader) Duration(name string) time.Duration {
	v := r.get(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.fail(name, "%q is not a duration such as 30s or 5m", v)
		return 0
	}
	return d
}

// Int returns the variable as a decimal integer.
func (r *Reader) Int(name string) int {
	v := r.get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(name, "%q is not a whole number", v)
		return 0
	}
	return n
}

// Bool returns the variable read by strconv.ParseBool ("true", "1", "false").
func (r *Reader) Bool(name string) bool {
	v := r.get(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, "%q is not true or false", v)
		return false
	}
	return b
}

// Set reports whether any variable read so far was set.
func (r *Reader) Set() bool { return r.set }

// Err reports what was wrong: every malformed variable, joined; or, when
// none of the variables read was set, an error matching [ErrUnset].
func (r *Reader) Err() error {
	if len(r.errs) > 0 {
		return errors.Join(r.errs...)
	}
	if !r.set {
		return fmt.Errorf("%w: no %s* variable", ErrUnset, r.prefix)
	}
	return nil
}
