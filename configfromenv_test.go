package grunnmur_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/registry/adresse"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/svarut"
)

type configEnvCase struct {
	pkg, prefix string
	design      []string // the names after the prefix, as DESIGN.md lists them
	secrets     []string // those read from a file too, by NAME_FILE
	extras      []string // names DESIGN.md does not list
	fromEnv     func(prefix string, getenv func(string) string) error
}

// fromEnv calls a package's ConfigFromEnv and drops the Config.
func fromEnv[C any](f func(string, func(string) string) (C, error)) func(string, func(string) string) error {
	return func(prefix string, getenv func(string) string) error {
		_, err := f(prefix, getenv)
		return err
	}
}

// TestConfigFromEnvNames: every client package's ConfigFromEnv reads the
// variable names of DESIGN.md ("Configuration names"), which stay as they are
// (a name is part of the API: README, Versioning), plus the _FILE twin of
// each secret and the extras its entry lists; with none of them set it
// returns an error matching config.ErrUnset (RULES §5). Every client package
// needs an entry.
func TestConfigFromEnvNames(t *testing.T) {
	cases := []configEnvCase{
		{pkg: "auth/idporten", prefix: "GRUNNMUR_IDPORTEN_",
			design: []string{"ISSUER", "CLIENT_ID", "CLIENT_SECRET", "CLIENT_KEY_FILE", "CLIENT_KID"}, secrets: []string{"CLIENT_SECRET"},
			extras: []string{"REDIRECT_URI", "POST_LOGOUT_REDIRECT_URI", "CLIENT_CERT_FILE"}, fromEnv: fromEnv(idporten.ConfigFromEnv)},
		{pkg: "auth/maskinporten", prefix: "GRUNNMUR_MASKINPORTEN_",
			design: []string{"ISSUER", "CLIENT_ID", "KEY_FILE", "KID", "CERT_FILE"}, fromEnv: fromEnv(maskinporten.ConfigFromEnv)},
		{pkg: "payment/vipps", prefix: "GRUNNMUR_VIPPS_",
			design:  []string{"BASE_URL", "CLIENT_ID", "CLIENT_SECRET", "SUBSCRIPTION_KEY", "MSN"},
			secrets: []string{"CLIENT_SECRET", "SUBSCRIPTION_KEY"}, fromEnv: fromEnv(vipps.ConfigFromEnv)},
		{pkg: "svarut", prefix: "GRUNNMUR_SVARUT_",
			design:  []string{"BASE_URL", "KONTO_ID", "INTEGRASJON_ID", "INTEGRASJON_PASSORD"},
			secrets: []string{"INTEGRASJON_PASSORD"}, fromEnv: fromEnv(svarut.ConfigFromEnv)},
		{pkg: "fiksio", prefix: "GRUNNMUR_FIKSIO_",
			design:  []string{"BASE_URL", "AMQP_URL", "KONTO_ID", "INTEGRASJON_ID", "INTEGRASJON_PASSORD"},
			secrets: []string{"INTEGRASJON_PASSORD"}, fromEnv: fromEnv(fiksio.ConfigFromEnv)},
		{pkg: "registry/brreg", prefix: "GRUNNMUR_BRREG_", design: []string{"BASE_URL"}, fromEnv: fromEnv(brreg.ConfigFromEnv)},
		{pkg: "registry/folkeregisteret", prefix: "GRUNNMUR_FOLKEREGISTERET_", design: []string{"BASE_URL"}, fromEnv: fromEnv(folkeregisteret.ConfigFromEnv)},
		{pkg: "registry/krr", prefix: "GRUNNMUR_KRR_", design: []string{"BASE_URL"}, fromEnv: fromEnv(krr.ConfigFromEnv)},
		{pkg: "registry/adresse", prefix: "GRUNNMUR_ADRESSE_", design: []string{"BASE_URL"}, fromEnv: fromEnv(adresse.ConfigFromEnv)},
	}
	for p := range clientPackages(loadAPI(t)) {
		if !slices.ContainsFunc(cases, func(c configEnvCase) bool { return c.pkg == p.rel }) {
			t.Errorf("%s has a client but no entry in TestConfigFromEnvNames", p.rel)
		}
	}
	for _, c := range cases {
		var read []string
		err := c.fromEnv(c.prefix, func(name string) string { read = append(read, name); return "" })
		if !errors.Is(err, config.ErrUnset) {
			t.Errorf("%s: ConfigFromEnv with nothing set gave %v, want an error matching config.ErrUnset", c.pkg, err)
		}
		want := slices.Concat(c.design, c.extras)
		for _, s := range c.secrets {
			want = append(want, s+"_FILE")
		}
		var got []string
		for _, name := range read {
			got = append(got, strings.TrimPrefix(name, c.prefix))
		}
		slices.Sort(want)
		slices.Sort(got)
		if got = slices.Compact(got); !slices.Equal(got, want) {
			t.Errorf("%s: ConfigFromEnv(%q) reads %q, want %q", c.pkg, c.prefix, got, want)
		}
	}
}
