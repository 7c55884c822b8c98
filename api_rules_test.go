package grunnmur_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"testing"
)

// The rules of api_test.go on a package written to break them, so that each
// rule is seen to fail, and to let pass what it must.

const badPackage = `// Package bad breaks the rules. See [problem.Error].
package bad

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"time"

	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/secret"
)

const (
	ProductionURL     = "https://api.example.no"
	TestBaseURL       = "https://test.example.no"
	OtherTestIssuer   = "https://test.other.example.no"
	DefaultAppURL     = "http://127.0.0.1:8080"
)

type Config struct {
	ClientSecret    string
	SubscriptionKey secret.Value
	Passord         []byte
	Key             crypto.Signer
	RSAKey          *rsa.PrivateKey
	KeyID           string
	KeyFile         string
	TokenURL        string
	AccessTokenTTL  time.Duration
	PublicKeys      []crypto.PublicKey
	KeyCertificates []*x509.Certificate
	Secrets         []secret.Value
}

type Hook struct{ Secret string; IdempotencyKey string }

type Error struct {
	Status  int
	Code    string
	Problem *problem.Error
}

type AuthError struct{ Status int }

type Job struct{}

func (Job) Run(ctx context.Context, every time.Duration) error { return nil }
func (Job) Poll(ctx context.Context) error                    { return nil }

func Wait(ctx context.Context, d time.Duration) bool            { return true }
func Loop(ctx context.Context, interval time.Duration) error    { return nil }
func HTTPStatus(err error) int                                  { return 500 }
func Code(err error) string                                     { return "" }
`

func loadBad(t *testing.T) *apiPkg {
	t.Helper()
	loadAPI(t) // sets apiImporter
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "bad.go", badPackage, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: apiImporter}
	tp, err := conf.Check("example.com/bad", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &apiPkg{path: tp.Path(), rel: "bad", name: tp.Name(), types: tp, fset: fset, files: []*ast.File{f}}
}

func TestRulesCatchABadPackage(t *testing.T) {
	p := loadBad(t)
	got := func(v violations) []string { return sortedKeys(v["bad"]) }
	t.Run("secret-fields", func(t *testing.T) {
		v := violations{}
		s := named(p, "Config").Underlying().(*types.Struct)
		checkSecretFields(p, "Config", s, secretName, v)
		checkSecretFields(p, "Hook", named(p, "Hook").Underlying().(*types.Struct), strongSecretName, v)
		want := []string{"Config.ClientSecret", "Config.Passord", "Hook.Secret"}
		if !slices.Equal(got(v), want) {
			t.Errorf("flagged %q, want %q", got(v), want)
		}
	})
	t.Run("internal-types", func(t *testing.T) {
		f := named(p, "Error").Underlying().(*types.Struct).Field(2)
		if refs := internalRefs(f.Type()); !slices.Equal(refs, []string{module + "/internal/problem.Error"}) {
			t.Errorf("Error.Problem mentions %q", refs)
		}
		if refs := internalRefs(named(p, "Config").Underlying()); len(refs) != 0 {
			t.Errorf("Config mentions %q", refs)
		}
	})
	t.Run("internal-docs", func(t *testing.T) {
		re := internalMention([]string{"problem", "text", "httpx"})
		if m := re.FindStringSubmatch(exportedDocs(p.files[0])["package doc"]); m == nil || m[2] != "problem" {
			t.Errorf("the package doc's [problem.Error] gives %q", m)
		}
		for _, ok := range []string{"The text of the letter. Then", "text/template", "problems.Error"} {
			if re.MatchString(ok) {
				t.Errorf("%q is taken for a mention of an internal package", ok)
			}
		}
		for _, bad := range []string{"see internal/httpx", "retried as httpx does", "a text.Clean"} {
			if !re.MatchString(bad) {
				t.Errorf("%q is not seen", bad)
			}
		}
	})
	t.Run("error-shape", func(t *testing.T) {
		v := violations{}
		fields := map[string]string{}
		for f := range named(p, "Error").Underlying().(*types.Struct).Fields() {
			fields[f.Name()] = f.Type().String()
		}
		checkErrorType(p, named(p, "Error"), fields, v)
		want := []string{"Error.Message", "Error.RequestID", "Error.Temporary"}
		if !slices.Equal(got(v), want) {
			t.Errorf("flagged %q, want %q", got(v), want)
		}
	})
	t.Run("env-constants", func(t *testing.T) {
		for name, want := range map[string]bool{
			"TestBaseURL": true, "ProductionIssuer": true, "OtherTestIssuer": true,
			"ProductionURL": false, "IssuerTest": false, "DefaultBaseURL": false, "otherTestIssuer": false,
		} {
			if envConstName(name) != want {
				t.Errorf("envConstName(%q) = %v", name, !want)
			}
		}
		if envConstHint.MatchString("DefaultAppURL") {
			t.Error("DefaultAppURL is taken for an environment")
		}
	})
	t.Run("jobs", func(t *testing.T) {
		v := violations{}
		ms := methods(named(p, "Job"))
		for _, name := range sortedKeys(ms) {
			checkJob(p, "Job.", ms[name], ms, v)
		}
		for _, name := range []string{"Wait", "Loop"} {
			checkJob(p, "", p.types.Scope().Lookup(name).(*types.Func), nil, v)
		}
		want := []string{"Job.Poll", "Job.RunOnce", "Loop"}
		if !slices.Equal(got(v), want) {
			t.Errorf("flagged %q, want %q", got(v), want)
		}
	})
	t.Run("http-status", func(t *testing.T) {
		if got := funcSig(p, "HTTPStatus"); got != "func(error) int" {
			t.Errorf("HTTPStatus is %q", got)
		}
	})
}
