package grunnmur_test

// The API rules of issue #16, made mechanical. The exported API is read with
// go/types from the export data the go command writes (go list -export), and
// comments and function bodies with go/ast, so no dependency is needed. Each
// rule is a test of its own; RULES.md and the README's "Versioning" section
// say why the rules exist.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var printPending = flag.Bool("pending", false, "log each rule's current violations in the syntax of the pending map")

// pending lists, per rule and package (relative to the module root), the
// identifiers that broke a rule on main while issue #16 was being done.
//
// It MUST BE EMPTY when #16 is done. A violation that is not listed fails its
// test, and so does a listed one that no longer breaks the rule, so the lists
// only shrink. To print the current violations in this syntax, run
//
//	go test -run 'TestAPI|TestOslo|TestFunc|TestDefault|TestNilStore|TestPackageEx' -v -pending .
var pending = map[string]map[string][]string{}

// violations collects one rule's findings: package → identifier → message.
type violations map[string]map[string]string

func (v violations) add(pkg, id, format string, args ...any) {
	if v[pkg] == nil {
		v[pkg] = map[string]string{}
	}
	msg := fmt.Sprintf(format, args...)
	if old, ok := v[pkg][id]; ok && old != msg {
		msg = old + "; " + msg
	}
	v[pkg][id] = msg
}

// check fails for every violation that pending[rule] does not list, and for
// every listed one that is no longer a violation.
func (v violations) check(t *testing.T, rule string) {
	t.Helper()
	known := pending[rule]
	for _, pkg := range sortedKeys(v) {
		for _, id := range sortedKeys(v[pkg]) {
			if !slices.Contains(known[pkg], id) {
				t.Errorf("%s: %s: %s [rule %s]", pkg, id, v[pkg][id], rule)
			}
		}
	}
	for _, pkg := range sortedKeys(known) {
		for _, id := range known[pkg] {
			if _, ok := v[pkg][id]; !ok {
				t.Errorf("pending[%q][%q] lists %s, which no longer breaks the rule: remove it from pending", rule, pkg, id)
			}
		}
	}
	if *printPending && len(v) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%q: {\n", rule)
		for _, pkg := range sortedKeys(v) {
			fmt.Fprintf(&b, "\t%q: {", pkg)
			for i, id := range sortedKeys(v[pkg]) {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%q", id)
			}
			b.WriteString("},\n")
		}
		b.WriteString("},")
		t.Log("\n" + b.String())
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// apiPkg is one package of the module, as the rules see it.
type apiPkg struct {
	path  string // import path
	rel   string // relative to the module root; "." for the root
	name  string
	types *types.Package
	fset  *token.FileSet
	files []*ast.File // non-test files
	tests []*ast.File // _test.go files
}

// public reports whether the package is part of the SDK's API: not internal,
// not a command or example program.
func (p *apiPkg) public() bool {
	return !isInternal(p.path) && p.name != "main" && !strings.HasPrefix(p.rel, "examples")
}

func (p *apiPkg) filename(f *ast.File) string {
	return filepath.Base(p.fset.Position(f.Package).Filename)
}

func isInternal(path string) bool {
	for _, part := range strings.Split(path, "/") {
		if part == "internal" {
			return true
		}
	}
	return false
}

var (
	apiOnce sync.Once
	apiPkgs []*apiPkg
	apiErr  error
	// apiImporter imports any package the module depends on, for the
	// rules' own tests.
	apiImporter types.Importer
)

// loadAPI loads every package of the module once per test binary.
func loadAPI(t *testing.T) []*apiPkg {
	t.Helper()
	apiOnce.Do(func() { apiPkgs, apiErr = loadModule() })
	if apiErr != nil {
		t.Fatal(apiErr)
	}
	return apiPkgs
}

type listed struct {
	ImportPath, Name, Dir, Export string
	GoFiles, TestGoFiles          []string
	XTestGoFiles                  []string
	Module                        *struct{ Path string }
	Error                         *struct{ Err string }
}

func loadModule() ([]*apiPkg, error) {
	args := []string{"list", "-e", "-export", "-deps",
		"-json=ImportPath,Name,Dir,Export,GoFiles,TestGoFiles,XTestGoFiles,Module,Error"}
	// Under go test -race, build the export data the same way, so that the
	// build cache already holds it.
	if bi, ok := debug.ReadBuildInfo(); ok && slices.Contains(bi.Settings, debug.BuildSetting{Key: "-race", Value: "true"}) {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./...")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v\n%s", err, stderr.Bytes())
	}
	exports := map[string]string{}
	var ours []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var l listed
		if err := dec.Decode(&l); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if l.Error != nil {
			return nil, fmt.Errorf("go list: %s: %s", l.ImportPath, l.Error.Err)
		}
		exports[l.ImportPath] = l.Export
		if l.Module != nil && l.Module.Path == module {
			ours = append(ours, l)
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if exports[path] == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(exports[path])
	})
	apiImporter = imp
	var pkgs []*apiPkg
	for _, l := range ours {
		tp, err := imp.Import(l.ImportPath)
		if err != nil {
			return nil, err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(l.ImportPath, module), "/")
		if rel == "" {
			rel = "."
		}
		p := &apiPkg{path: l.ImportPath, rel: rel, name: l.Name, types: tp, fset: fset}
		for _, list := range [][]string{l.GoFiles, l.TestGoFiles, l.XTestGoFiles} {
			for _, name := range list {
				f, err := parser.ParseFile(fset, filepath.Join(l.Dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
				if err != nil {
					return nil, err
				}
				if strings.HasSuffix(name, "_test.go") {
					p.tests = append(p.tests, f)
				} else {
					p.files = append(p.files, f)
				}
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// exported returns the package's exported objects, sorted by name.
func exported(p *apiPkg) []types.Object {
	var out []types.Object
	for _, name := range p.types.Scope().Names() {
		if obj := p.types.Scope().Lookup(name); obj.Exported() {
			out = append(out, obj)
		}
	}
	return out
}

// named returns the package's exported defined type called name, or nil.
func named(p *apiPkg, name string) *types.Named {
	obj, ok := p.types.Scope().Lookup(name).(*types.TypeName)
	if !ok || obj.IsAlias() {
		return nil
	}
	n, _ := obj.Type().(*types.Named)
	return n
}

// methods returns the exported methods of *T (declared and promoted).
func methods(n *types.Named) map[string]*types.Func {
	out := map[string]*types.Func{}
	ms := types.NewMethodSet(types.NewPointer(n))
	for i := range ms.Len() {
		if f, ok := ms.At(i).Obj().(*types.Func); ok && f.Exported() {
			out[f.Name()] = f
		}
	}
	return out
}

// sig formats a signature without parameter names, qualified by package name.
func sig(s *types.Signature) string {
	q := func(p *types.Package) string { return p.Name() }
	var b strings.Builder
	b.WriteString("func(")
	for i := range s.Params().Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		t := s.Params().At(i).Type()
		if s.Variadic() && i == s.Params().Len()-1 {
			b.WriteString("..." + types.TypeString(t.(*types.Slice).Elem(), q))
			continue
		}
		b.WriteString(types.TypeString(t, q))
	}
	b.WriteString(")")
	switch r := s.Results(); r.Len() {
	case 0:
	case 1:
		b.WriteString(" " + types.TypeString(r.At(0).Type(), q))
	default:
		b.WriteString(" (")
		for i := range r.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(types.TypeString(r.At(i).Type(), q))
		}
		b.WriteString(")")
	}
	return b.String()
}

// internalRefs returns the types of internal packages that t mentions,
// without following defined types of other packages (their own API is
// checked where they are declared).
func internalRefs(t types.Type) []string {
	var out []string
	var walk func(types.Type)
	walk = func(t types.Type) {
		switch t := t.(type) {
		case *types.Alias:
			if obj := t.Obj(); obj.Pkg() != nil && isInternal(obj.Pkg().Path()) {
				out = append(out, obj.Pkg().Path()+"."+obj.Name())
			}
			walk(t.Rhs())
		case *types.Named:
			if obj := t.Obj(); obj.Pkg() != nil && isInternal(obj.Pkg().Path()) {
				out = append(out, obj.Pkg().Path()+"."+obj.Name())
			}
			for a := range t.TypeArgs().Types() {
				walk(a)
			}
		case *types.Pointer:
			walk(t.Elem())
		case *types.Slice:
			walk(t.Elem())
		case *types.Array:
			walk(t.Elem())
		case *types.Chan:
			walk(t.Elem())
		case *types.Map:
			walk(t.Key())
			walk(t.Elem())
		case *types.Signature:
			for v := range t.Params().Variables() {
				walk(v.Type())
			}
			for v := range t.Results().Variables() {
				walk(v.Type())
			}
		case *types.Struct:
			for f := range t.Fields() {
				if f.Exported() || f.Embedded() {
					walk(f.Type())
				}
			}
		case *types.Interface:
			for i := range t.NumExplicitMethods() {
				if m := t.ExplicitMethod(i); m.Exported() {
					walk(m.Type())
				}
			}
			for e := range t.EmbeddedTypes() {
				walk(e)
			}
		case *types.Union:
			for i := range t.Len() {
				walk(t.Term(i).Type())
			}
		case *types.TypeParam:
			walk(t.Constraint())
		}
	}
	walk(t)
	slices.Sort(out)
	return slices.Compact(out)
}

// TestAPINoInternalTypes: no exported identifier of a public package refers
// to a type of an internal package, in a signature, a field, a variable's
// type, an embedded type or an interface method. A user cannot name such a
// type, and it changes without notice.
func TestAPINoInternalTypes(t *testing.T) {
	v := violations{}
	report := func(p *apiPkg, id string, typ types.Type) {
		if refs := internalRefs(typ); len(refs) > 0 {
			v.add(p.rel, id, "mentions %s, an internal type", strings.Join(refs, ", "))
		}
	}
	for _, p := range loadAPI(t) {
		if !p.public() {
			continue
		}
		for _, obj := range exported(p) {
			switch obj := obj.(type) {
			case *types.TypeName:
				if obj.IsAlias() {
					report(p, obj.Name(), obj.Type())
					continue
				}
				n, ok := obj.Type().(*types.Named)
				if !ok {
					continue
				}
				for tp := range n.TypeParams().TypeParams() {
					report(p, obj.Name(), tp.Constraint())
				}
				switch u := n.Underlying().(type) {
				case *types.Struct:
					for f := range u.Fields() {
						if f.Exported() || f.Embedded() {
							report(p, obj.Name()+"."+f.Name(), f.Type())
						}
					}
				case *types.Interface:
					for i := range u.NumExplicitMethods() {
						if m := u.ExplicitMethod(i); m.Exported() {
							report(p, obj.Name()+"."+m.Name(), m.Type())
						}
					}
					for e := range u.EmbeddedTypes() {
						report(p, obj.Name(), e)
					}
				default:
					report(p, obj.Name(), u)
				}
				for name, m := range methods(n) {
					report(p, obj.Name()+"."+name, m.Type())
				}
			default:
				report(p, obj.Name(), obj.Type())
			}
		}
	}
	v.check(t, "internal-types")
}

// TestAPINoInternalInDocs: no doc comment of a public package's exported
// identifier (or of the package) mentions an internal/ import path or an
// internal package's identifiers (problem.Error, httpx.Retry, ...). Users
// cannot import them, so a doc must not send them there.
func TestAPINoInternalInDocs(t *testing.T) {
	pkgs := loadAPI(t)
	var names []string
	for _, p := range pkgs {
		if isInternal(p.path) && !slices.Contains(names, p.name) {
			names = append(names, regexp.QuoteMeta(p.name))
		}
	}
	mention := internalMention(names)
	v := violations{}
	for _, p := range pkgs {
		if !p.public() {
			continue
		}
		for _, f := range p.files {
			for id, text := range exportedDocs(f) {
				if m := mention.FindStringSubmatch(text); m != nil {
					v.add(p.rel, id, "doc comment mentions %q, an internal package: say what the user can use instead", m[1]+m[2]+m[3])
				}
			}
		}
	}
	v.check(t, "internal-docs")
}

// internalMention matches an internal/ path, an identifier of one of the
// named packages (problem.Error), or the bare name of one that is no English
// word (httpx, but not text); it captures the path or the name.
func internalMention(names []string) *regexp.Regexp {
	var bare []string
	for _, n := range names {
		if !slices.Contains(englishPackageNames, n) {
			bare = append(bare, n)
		}
	}
	return regexp.MustCompile(`(internal/)|\b(` + strings.Join(names, "|") + `)\.[A-Za-z_]|\b(` + strings.Join(bare, "|") + `)\b`)
}

// englishPackageNames are internal package names that are also words of a
// doc comment.
var englishPackageNames = []string{"defaults", "fetch", "job", "problem", "redact", "site", "text"}

// exportedDocs returns the doc and line comments of a file's package clause
// and exported declarations, fields and interface methods, by identifier.
func exportedDocs(f *ast.File) map[string]string {
	out := map[string]string{}
	add := func(id string, groups ...*ast.CommentGroup) {
		for _, g := range groups {
			if g != nil {
				out[id] += g.Text()
			}
		}
	}
	add("package doc", f.Doc)
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			id := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) > 0 {
				recv := receiverName(d.Recv.List[0].Type)
				if !ast.IsExported(recv) {
					continue
				}
				id = recv + "." + id
			}
			add(id, d.Doc)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				declDoc := d.Doc
				switch s := s.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					add(s.Name.Name, declDoc, s.Doc, s.Comment)
					fieldDocs(s.Name.Name, s.Type, add)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							add(n.Name, declDoc, s.Doc, s.Comment)
						}
					}
				}
			}
		}
	}
	return out
}

func fieldDocs(typeName string, expr ast.Expr, add func(string, ...*ast.CommentGroup)) {
	var list *ast.FieldList
	switch e := expr.(type) {
	case *ast.StructType:
		list = e.Fields
	case *ast.InterfaceType:
		list = e.Methods
	default:
		return
	}
	for _, f := range list.List {
		if len(f.Names) == 0 {
			add(typeName, f.Doc, f.Comment)
		}
		for _, n := range f.Names {
			if n.IsExported() {
				add(typeName+"."+n.Name, f.Doc, f.Comment)
			}
		}
	}
}

func receiverName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

const secretPkg = module + "/secret"

var (
	// secretName is a field name that says it holds a credential, in a Config.
	secretName = regexp.MustCompile(`Secret|Password|Passord|Key|Token`)
	// strongSecretName says so in any other struct, where Key (an
	// idempotency key) and Token (a token type) mean other things.
	strongSecretName = regexp.MustCompile(`Secret|Password|Passord`)
)

// plainCredentials names the packages whose structs may hold a credential as
// plain text, with the reason.
var plainCredentials = map[string]string{
	"devenv": "it prints the fakes' published test credentials for the developer to copy",
}

// TestAPISecretFields: a field of an exported Config whose name says it holds
// a credential (Secret, Password, Key, Token) has the type secret.Value, which
// redacts itself everywhere (RULES §1); so does a field of any other exported
// struct of a non-fake package named for a Secret or Password. A private key
// may be a crypto.Signer or crypto.Decrypter (or *rsa.PrivateKey, ...), or a
// slice of them for a rotation. Names ending in ID, File,
// Path or URL name a credential or where to get one, they do not hold one; a
// number, a bool or a duration (AccessTokenTTL) cannot hold one; and public
// keys and certificates are no secret.
func TestAPISecretFields(t *testing.T) {
	v := violations{}
	for _, p := range loadAPI(t) {
		if !p.public() || plainCredentials[p.rel] != "" {
			continue
		}
		for _, obj := range exported(p) {
			tn, ok := obj.(*types.TypeName)
			if !ok || tn.IsAlias() {
				continue
			}
			s, ok := tn.Type().Underlying().(*types.Struct)
			switch {
			case !ok:
			case tn.Name() == "Config":
				checkSecretFields(p, tn.Name(), s, secretName, v)
			case !strings.HasSuffix(p.name, "test"):
				checkSecretFields(p, tn.Name(), s, strongSecretName, v)
			}
		}
	}
	v.check(t, "secret-fields")
}

func checkSecretFields(p *apiPkg, typeName string, s *types.Struct, re *regexp.Regexp, v violations) {
	for f := range s.Fields() {
		name := f.Name()
		if !f.Exported() || !re.MatchString(name) ||
			strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "File") ||
			strings.HasSuffix(name, "Path") || strings.HasSuffix(name, "URL") {
			continue
		}
		if b, ok := f.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsString == 0 {
			continue
		}
		typ := f.Type()
		if sl, ok := typ.(*types.Slice); ok && (isNamed(sl.Elem(), secretPkg, "Value") || isSigner(sl.Elem())) {
			typ = sl.Elem() // several accepted secrets or keys, during a rotation
		}
		if isNamed(typ, secretPkg, "Value") || isSigner(typ) || strings.Contains(name, "Public") || isPublicKey(typ) {
			continue
		}
		v.add(p.rel, typeName+"."+name, "has type %s; a credential is a secret.Value (a private key may be a crypto.Signer)",
			types.TypeString(f.Type(), func(p *types.Package) string { return p.Name() }))
	}
}

// isSigner reports whether t is a private key: crypto.Signer or
// crypto.Decrypter, or a type with the methods of one (*rsa.PrivateKey,
// *ecdsa.PrivateKey, ...).
func isSigner(t types.Type) bool {
	if isNamed(t, "crypto", "Signer") || isNamed(t, "crypto", "Decrypter") {
		return true
	}
	ms := types.NewMethodSet(t)
	return (ms.Lookup(nil, "Sign") != nil || ms.Lookup(nil, "Decrypt") != nil) && ms.Lookup(nil, "Public") != nil
}

// isPublicKey reports whether t holds public keys or certificates, which
// are no secret: crypto.PublicKey, *rsa.PublicKey, *x509.Certificate, and
// slices and maps of them.
func isPublicKey(t types.Type) bool {
	for {
		switch u := types.Unalias(t).(type) {
		case *types.Pointer:
			t = u.Elem()
		case *types.Slice:
			t = u.Elem()
		case *types.Map:
			t = u.Elem()
		case *types.Named:
			obj := u.Obj()
			if obj.Pkg() == nil {
				return false
			}
			return obj.Name() == "PublicKey" || obj.Pkg().Path() == "crypto/x509" && obj.Name() == "Certificate"
		default:
			return false
		}
	}
}

// isNamed reports whether t is the defined type pkg.name.
func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// clientTypes names the packages whose client type is not called Client,
// with the reason the issue allows it.
var clientTypes = map[string]struct{ typ, why string }{
	"auth/maskinporten": {"TokenSource", "it is an oauth2.TokenSource, and the name says what it gives"},
}

// clientPackages returns the public packages that export a client type.
func clientPackages(pkgs []*apiPkg) map[*apiPkg]string {
	out := map[*apiPkg]string{}
	for _, p := range pkgs {
		if !p.public() || strings.HasSuffix(p.name, "test") {
			continue
		}
		typ := "Client"
		if c, ok := clientTypes[p.rel]; ok {
			typ = c.typ
		}
		if named(p, typ) != nil {
			out[p] = typ
		}
	}
	return out
}

// funcSig returns the signature of the package-level func name, or "".
func funcSig(p *apiPkg, name string) string {
	f, ok := p.types.Scope().Lookup(name).(*types.Func)
	if !ok {
		return ""
	}
	return sig(f.Type().(*types.Signature))
}

// TestAPIConstructors: every client is made by New(Config) (*Client, error),
// and configured from the environment by ConfigFromEnv (RULES §4, §5).
// Every fake is made by New(Config) *Server and has one authorization hook,
// Config.Authorize (RULES §9).
func TestAPIConstructors(t *testing.T) {
	pkgs := loadAPI(t)
	v := violations{}
	for p, typ := range clientPackages(pkgs) {
		if named(p, "Config") == nil {
			v.add(p.rel, "Config", "a client package configures its %s with a struct named Config", typ)
		}
		want := fmt.Sprintf("func(%s.Config) (*%[1]s.%s, error)", p.name, typ)
		if got := funcSig(p, "New"); got != want {
			v.add(p.rel, "New", "is %q, want %q", orMissing(got), want)
		}
		want = fmt.Sprintf("func(string, func(string) string) (%s.Config, error)", p.name)
		if got := funcSig(p, "ConfigFromEnv"); got != want {
			v.add(p.rel, "ConfigFromEnv", "is %q, want %q", orMissing(got), want)
		}
	}
	for _, p := range pkgs {
		if p.public() && strings.HasSuffix(p.name, "test") {
			checkFake(p, v)
		}
	}
	v.check(t, "constructors")
}

func orMissing(s string) string {
	if s == "" {
		return "missing"
	}
	return s
}

// checkFake checks a <pkg>test package: New(Config) *Server when it has a
// Server, every other constructor of an http.Handler takes one Config-like
// struct, and each such Config has the Authorize hook.
func checkFake(p *apiPkg, v violations) {
	if named(p, "Server") != nil {
		want := fmt.Sprintf("func(%s.Config) *%[1]s.Server", p.name)
		if got := funcSig(p, "New"); got != want {
			v.add(p.rel, "New", "is %q, want %q", orMissing(got), want)
		}
	}
	for _, obj := range exported(p) {
		f, ok := obj.(*types.Func)
		if !ok || !strings.HasPrefix(f.Name(), "New") {
			continue
		}
		s := f.Type().(*types.Signature)
		if s.Results().Len() == 0 || !isHandler(s.Results().At(0).Type()) {
			continue
		}
		if s.Params().Len() != 1 || !isConfig(p, s.Params().At(0).Type()) {
			v.add(p.rel, f.Name(), "is %q; a fake's constructor takes one Config", sig(s))
			continue
		}
		cfg := types.Unalias(s.Params().At(0).Type()).(*types.Named)
		if !hasAuthorize(cfg) {
			v.add(p.rel, cfg.Obj().Name()+".Authorize", "missing: a fake's Config has Authorize func(*http.Request) int, its one authorization hook")
		}
	}
}

func isConfig(p *apiPkg, t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() != p.types || !strings.HasSuffix(n.Obj().Name(), "Config") {
		return false
	}
	_, ok = n.Underlying().(*types.Struct)
	return ok
}

// hasAuthorize reports whether a fake's Config has the Authorize hook, or,
// for a Config of several fakes (registrytest.RegistriesConfig), whether
// each of its fields is a Config that has it.
func hasAuthorize(cfg *types.Named) bool {
	s := cfg.Underlying().(*types.Struct)
	for f := range s.Fields() {
		if f.Name() == "Authorize" {
			fs, ok := f.Type().Underlying().(*types.Signature)
			return ok && sig(fs) == "func(*http.Request) int"
		}
	}
	for f := range s.Fields() {
		n, ok := types.Unalias(f.Type()).(*types.Named)
		if !ok || !strings.HasSuffix(n.Obj().Name(), "Config") {
			return false
		}
		if _, ok := n.Underlying().(*types.Struct); !ok || !hasAuthorize(n) {
			return false
		}
	}
	return s.NumFields() > 0
}

// isHandler reports whether t (or *t) has a ServeHTTP method.
func isHandler(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	_, has := methods(n)["ServeHTTP"]
	return has
}

// errorsElsewhere names the client packages whose API errors are a type of
// another package, with the reason.
var errorsElsewhere = map[string]string{
	"auth/idporten":            "ID-porten and Maskinporten share one OAuth error type (RULES §2)",
	"auth/maskinporten":        "ID-porten and Maskinporten share one OAuth error type (RULES §2)",
	"registry/adresse":         "the registry clients share registry.Error",
	"registry/brreg":           "the registry clients share registry.Error",
	"registry/folkeregisteret": "the registry clients share registry.Error",
	"registry/krr":             "the registry clients share registry.Error",
}

// TestAPIErrorShape: every API error type of an outside service is called
// Error and has Status, Code, Message, RequestID and Temporary() (RULES §2).
// It applies to the Error of every client package, to every other exported
// Error with a Status field (auth/oauth's, registry's), and to every other
// exported ...Error type with a Status field (the shape of an API error under
// another name). An Error without a Status outside a client package
// (forms/expr's) is no API error.
func TestAPIErrorShape(t *testing.T) {
	pkgs := loadAPI(t)
	v := violations{}
	clients := clientPackages(pkgs)
	for p := range clients {
		own, elsewhere := named(p, "Error") != nil, errorsElsewhere[p.rel]
		switch {
		case !own && elsewhere == "":
			v.add(p.rel, "Error", "missing: a client package's API errors are one type named Error (or list the package in errorsElsewhere with the reason)")
		case own && elsewhere != "":
			v.add(p.rel, "Error", "is a second API error type: %s", elsewhere)
		}
	}
	for _, p := range pkgs {
		if !p.public() {
			continue
		}
		for _, obj := range exported(p) {
			tn, ok := obj.(*types.TypeName)
			if !ok || tn.IsAlias() || !strings.HasSuffix(tn.Name(), "Error") {
				continue
			}
			n := tn.Type().(*types.Named)
			s, ok := n.Underlying().(*types.Struct)
			if !ok {
				continue
			}
			fields := map[string]string{}
			for f := range s.Fields() {
				fields[f.Name()] = f.Type().String()
			}
			_, status := fields["Status"]
			switch {
			case tn.Name() != "Error" && status:
				v.add(p.rel, tn.Name(), "an API error type with a Status is named Error")
			case tn.Name() == "Error" && (status || clients[p] != ""):
				checkErrorType(p, n, fields, v)
			}
		}
	}
	v.check(t, "error-shape")
}

func checkErrorType(p *apiPkg, n *types.Named, fields map[string]string, v violations) {
	for _, want := range []struct{ name, typ string }{
		{"Status", "int"}, {"Code", "string"}, {"Message", "string"}, {"RequestID", "string"},
	} {
		if got := fields[want.name]; got != want.typ {
			v.add(p.rel, "Error."+want.name, "is %q, want a field %s %s", orMissing(got), want.name, want.typ)
		}
	}
	m, ok := methods(n)["Temporary"]
	if !ok || sig(m.Type().(*types.Signature)) != "func() bool" {
		v.add(p.rel, "Error.Temporary", "missing: an API error has Temporary() bool (429, 5xx and transport failures)")
	}
}

var (
	envConstNames = []string{"TestBaseURL", "ProductionBaseURL", "TestIssuer", "ProductionIssuer"}
	envConstHint  = regexp.MustCompile(`(?i)test|prod|issuer|baseurl|sandbox|staging|live|^url$`)
)

// TestAPIEnvironmentConstants: a package names the URLs of a provider's test
// and production environments TestBaseURL and ProductionBaseURL (TestIssuer
// and ProductionIssuer for OpenID providers), and no other way (RULES §6). A
// package that serves two providers puts the provider first
// (AnsattportenTestIssuer). A constant counts when its value is an http(s)
// URL and its name speaks of a test or production environment, an issuer or
// a base URL. Every client package has both constants, and its package doc
// names the production one (RULES §6: "Document the rule in each package
// doc").
func TestAPIEnvironmentConstants(t *testing.T) {
	v := violations{}
	pkgs := loadAPI(t)
	for _, p := range pkgs {
		if !p.public() {
			continue
		}
		for _, obj := range exported(p) {
			c, ok := obj.(*types.Const)
			if !ok || envConstName(c.Name()) || !envConstHint.MatchString(c.Name()) {
				continue
			}
			s, err := strconv.Unquote(c.Val().ExactString())
			if err != nil || !(strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) {
				continue
			}
			v.add(p.rel, c.Name(), "is the URL %q of an environment: name it one of %s", s, strings.Join(envConstNames, ", "))
		}
	}
	for p := range clientPackages(pkgs) {
		checkEnvironmentPair(p, v)
	}
	v.check(t, "env-constants")
}

// checkEnvironmentPair: a client package names both of its provider's
// environments, and its package doc says how production is reached.
func checkEnvironmentPair(p *apiPkg, v violations) {
	kind := "BaseURL"
	if cfg := named(p, "Config"); cfg != nil {
		if s, ok := cfg.Underlying().(*types.Struct); ok && slices.ContainsFunc(slices.Collect(s.Fields()), func(f *types.Var) bool { return f.Name() == "Issuer" }) {
			kind = "Issuer" // an OpenID provider or Maskinporten
		}
	}
	for _, name := range []string{"Test" + kind, "Production" + kind} {
		if _, ok := p.types.Scope().Lookup(name).(*types.Const); !ok {
			v.add(p.rel, name, "missing: a client package names its provider's environments Test%s and Production%[1]s", kind)
		}
	}
	var doc strings.Builder
	for _, f := range p.files {
		if f.Doc != nil {
			doc.WriteString(f.Doc.Text())
		}
	}
	if !strings.Contains(doc.String(), "Production"+kind) {
		v.add(p.rel, "package doc", "does not name Production%s: the package doc says that an empty %[1]s means the test environment and how production is reached", kind)
	}
}

func envConstName(name string) bool {
	for _, n := range envConstNames {
		if prefix, ok := strings.CutSuffix(name, n); ok && (prefix == "" || ast.IsExported(prefix)) {
			return true
		}
	}
	return false
}

// TestAPIJobs: every background job is Run(ctx, every) error with a sibling
// RunOnce(ctx) error (RULES §7). Another exported function or method taking
// (context.Context, time.Duration) whose duration is named for how often
// something repeats (every, interval, period, ...) is a job under another
// name, and so is an exported Poll, Cleanup or Expire... taking a context.
// A wait such as fake.Wait(ctx, d) is not a job.
func TestAPIJobs(t *testing.T) {
	v := violations{}
	for _, p := range loadAPI(t) {
		if !p.public() {
			continue
		}
		for _, obj := range exported(p) {
			switch obj := obj.(type) {
			case *types.Func:
				checkJob(p, "", obj, nil, v)
			case *types.TypeName:
				if n, ok := obj.Type().(*types.Named); ok && !obj.IsAlias() {
					ms := methods(n)
					for _, name := range sortedKeys(ms) {
						checkJob(p, obj.Name()+".", ms[name], ms, v)
					}
				}
			}
		}
	}
	v.check(t, "jobs")
}

// intervalName is a parameter name that says how often something repeats.
var intervalName = regexp.MustCompile(`(?i)^(every|each|period|tick|freq(uency)?|\w*interval)$`)

func checkJob(p *apiPkg, prefix string, f *types.Func, siblings map[string]*types.Func, v violations) {
	s := f.Type().(*types.Signature)
	params := sig(types.NewSignatureType(nil, nil, nil, s.Params(), nil, false))
	id := prefix + f.Name()
	isMethod := siblings != nil
	switch {
	case params == "func(context.Context, time.Duration)" && (f.Name() == "Run" || intervalName.MatchString(s.Params().At(1).Name())):
		if !isMethod || f.Name() != "Run" {
			v.add(p.rel, id, "takes (ctx, %s time.Duration): a job is a method Run(ctx, every) error", s.Params().At(1).Name())
			return
		}
		if got := sig(s); got != "func(context.Context, time.Duration) error" {
			v.add(p.rel, id, "is %q, want func(context.Context, time.Duration) error", got)
		}
		once, ok := siblings["RunOnce"]
		if !ok || sig(once.Type().(*types.Signature)) != "func(context.Context) error" {
			v.add(p.rel, prefix+"RunOnce", "missing: a type with Run(ctx, every) has RunOnce(ctx) error")
		}
	case f.Name() == "Run" && isMethod:
		v.add(p.rel, id, "is %q; Run is the job loop, func(context.Context, time.Duration) error", sig(s))
	case f.Name() == "Poll" || f.Name() == "Cleanup" || strings.HasPrefix(f.Name(), "Expire"):
		if s.Params().Len() > 0 && s.Params().At(0).Type().String() == "context.Context" {
			v.add(p.rel, id, "is a job under another name: make it Run(ctx, every) and RunOnce(ctx)")
		}
	}
}

// domainPackages map errors to an HTTP status with HTTPStatus (RULES §3).
var domainPackages = []string{"booking", "forms", "payment", "sak"}

// TestAPIHTTPStatus: one way to map a domain error to a response:
// func HTTPStatus(err error) (status int, code string), in every domain
// package; no ErrorCode or Code(error) beside it.
func TestAPIHTTPStatus(t *testing.T) {
	v := violations{}
	for _, p := range loadAPI(t) {
		if !p.public() {
			continue
		}
		got := funcSig(p, "HTTPStatus")
		switch {
		case got == "" && slices.Contains(domainPackages, p.rel):
			v.add(p.rel, "HTTPStatus", "missing: a domain package maps its errors with func HTTPStatus(error) (int, string)")
		case got != "" && got != "func(error) (int, string)":
			v.add(p.rel, "HTTPStatus", "is %q, want func(error) (int, string)", got)
		}
		for _, name := range []string{"ErrorCode", "Code"} {
			s := funcSig(p, name)
			if name == "ErrorCode" && s != "" || strings.HasPrefix(s, "func(error)") {
				v.add(p.rel, name, "is %q: the stable code comes from HTTPStatus", s)
			}
		}
	}
	v.check(t, "http-status")
}

// TestOsloLoadedOnce: Europe/Oslo is loaded in one place, civil.Oslo, from
// the embedded zone database; nobody else loads it or falls back to a fixed
// CET (RULES §8). Tests are included: they use civil.Oslo too.
func TestOsloLoadedOnce(t *testing.T) {
	pkgs := loadAPI(t)
	osloConsts := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range slices.Concat(p.files, p.tests) {
			ast.Inspect(f, func(n ast.Node) bool {
				if s, ok := n.(*ast.ValueSpec); ok {
					for i, val := range s.Values {
						if isOsloLit(val) && i < len(s.Names) {
							osloConsts[s.Names[i].Name] = true
						}
					}
				}
				return true
			})
		}
	}
	isOslo := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.Ident:
			return osloConsts[e.Name]
		case *ast.SelectorExpr:
			return osloConsts[e.Sel.Name]
		}
		return isOsloLit(e)
	}
	v := violations{}
	for _, p := range pkgs {
		if p.rel == "civil" {
			continue
		}
		files := slices.Concat(p.files, p.tests)
		loaders := zoneLoaders(files)
		for _, f := range files {
			forEachCall(f, func(encl string, call *ast.CallExpr) {
				id := p.filename(f) + ": " + encl
				switch name := calleeName(call.Fun); {
				case (name == "time.LoadLocation" || loaders[name]) && len(call.Args) == 1 && isOslo(call.Args[0]):
					v.add(p.rel, id, "loads Europe/Oslo (%s): use civil.Oslo", name)
				case name == "time.FixedZone" && len(call.Args) == 2 && isOsloFixedZone(call.Args):
					v.add(p.rel, id, "makes a fixed zone for Oslo, which has no summer time: use civil.Oslo")
				}
			})
		}
	}
	v.check(t, "oslo")
}

func isOsloLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	s, err := strconv.Unquote(lit.Value)
	return err == nil && s == "Europe/Oslo"
}

// isOsloFixedZone reports whether time.FixedZone(name, offset) stands in for
// Oslo: a name such as CET or Oslo, or an offset of one or two hours.
func isOsloFixedZone(args []ast.Expr) bool {
	if lit, ok := args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
		name, _ := strconv.Unquote(lit.Value)
		if regexp.MustCompile(`(?i)^CES?T$|oslo`).MatchString(name) {
			return true
		}
	}
	tv, err := types.Eval(token.NewFileSet(), nil, token.NoPos, types.ExprString(args[1]))
	if err != nil || tv.Value == nil {
		return false
	}
	off := tv.Value.ExactString()
	return off == "3600" || off == "7200"
}

// zoneLoaders returns the functions of the files that call time.LoadLocation
// with one of their parameters, such as mustLoad(name string).
func zoneLoaders(files []*ast.File) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || fd.Recv != nil {
				continue
			}
			params := map[string]bool{}
			for _, field := range fd.Type.Params.List {
				for _, n := range field.Names {
					params[n.Name] = true
				}
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok && calleeName(call.Fun) == "time.LoadLocation" && len(call.Args) == 1 {
					if id, ok := call.Args[0].(*ast.Ident); ok && params[id.Name] {
						out[fd.Name.Name] = true
					}
				}
				return true
			})
		}
	}
	return out
}

// forEachCall calls fn for every call in the file, with the name of the
// declaration that holds it ("Func", "Type.Method" or "var name").
func forEachCall(f *ast.File, fn func(encl string, call *ast.CallExpr)) {
	for _, d := range f.Decls {
		encl := ""
		switch d := d.(type) {
		case *ast.FuncDecl:
			encl = d.Name.Name
			if d.Recv != nil && len(d.Recv.List) > 0 {
				encl = receiverName(d.Recv.List[0].Type) + "." + encl
			}
		case *ast.GenDecl:
			if len(d.Specs) == 0 {
				continue
			}
			encl = d.Tok.String()
			if s, ok := d.Specs[0].(*ast.ValueSpec); ok && len(s.Names) > 0 {
				encl += " " + s.Names[0].Name
			}
		}
		ast.Inspect(d, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				fn(encl, call)
			}
			return true
		})
	}
}

// calleeName is "pkg.Func" for a selector on an identifier, "Func" for an
// identifier, and "" otherwise.
func calleeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return x.Name + "." + e.Sel.Name
		}
	}
	return ""
}

// maxFuncLines is the longest function body (the lines between its braces)
// outside tests and examples (issue #16 §7).
const maxFuncLines = 80

// longFuncs allows a function over maxFuncLines: "package: Func" → why it
// cannot be split. It stays empty unless someone justifies an entry.
var longFuncs = map[string]string{}

// TestFunctionLength: no function or method body outside tests, examples
// and generated files is longer than maxFuncLines lines. Split long ones by
// what their parts do.
func TestFunctionLength(t *testing.T) {
	v := violations{}
	for _, p := range loadAPI(t) {
		if p.rel == "examples" || strings.HasPrefix(p.rel, "examples/") {
			continue
		}
		for _, f := range p.files {
			if ast.IsGenerated(f) {
				continue
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				id := fd.Name.Name
				if fd.Recv != nil && len(fd.Recv.List) > 0 {
					id = receiverName(fd.Recv.List[0].Type) + "." + id
				}
				lines := p.fset.Position(fd.Body.Rbrace).Line - p.fset.Position(fd.Body.Lbrace).Line - 1
				if lines <= maxFuncLines || longFuncs[p.rel+": "+id] != "" {
					continue
				}
				v.add(p.rel, id, "has %d lines (%s), more than %d: split it by what its parts do, or justify it in longFuncs",
					lines, p.filename(f), maxFuncLines)
			}
		}
	}
	v.check(t, "func-length")
}

// retired lists the identifiers issue #16 names for removal, renaming or
// replacement by one shared type, so that none of them comes back.
var retired = map[string]map[string]string{
	"registry": {
		"CheckResponse": "only the package uses it", "DecodeError": "only the package uses it",
		"TransportError": "only the package uses it", "Cached": "only the package uses it",
		"KindForStatus": "only the package uses it", "Group.Waiting": "only the tests use it",
		"Date":                      "civil.Date is the one date type",
		"Faults.FailNext":           "fake.Fault is the one fault toolkit",
		"Faults.FailNextRetryAfter": "fake.Fault is the one fault toolkit",
	},
	"registry/brreg": {
		"ParseOrgnr":              "ident.ParseOrgnr parses an orgnr",
		"Client.AuthorizedRoller": "identifiers are English or the API's own terms, not a mix",
	},
	"registry/adresse": {"Client.Sok": "it is Search", "Client.SokAll": "it is SearchAll, beside Search"},
	"registry/registrytest": {
		"Faults.FailNext":           "fake.Fault is the one fault toolkit",
		"Faults.FailNextRetryAfter": "fake.Fault is the one fault toolkit",
	},
	"payment/vipps": {
		"ProblemTypeBase": "only the package uses it", "StringToSign": "only the package uses it",
		"ContentHash": "only the package uses it", "Secret": "secret.Value is the one secret type",
	},
	"auth/maskinporten":   {"ParseError": "only the package uses it"},
	"auth/idporten":       {"SignAssertion": "only the package uses it", "Secret": "secret.Value is the one secret type"},
	"auth/idportentest":   {"Fault": "fake.Fault is the one fault toolkit"},
	"svarut":              {"ParseError": "only the package uses it", "ParseIncoming": "only the package uses it", "ParseStatuses": "only the package uses it", "Secret": "secret.Value is the one secret type"},
	"svarut/svaruttest":   {"Clock": "fake clocks are testing/synctest"},
	"payment":             {"SortOldestFirst": "only the package uses it"},
	"sak":                 {"SortNewestFirst": "only the package uses it", "Lang": "i18n.Lang is the one language type"},
	"forms":               {"NewID": "only the package uses it", "FormatKroner": "money is money.Amount, formatted by i18n; no floats"},
	"booking":             {"Date": "civil.Date is the one date type"},
	"booking/bookingtest": {"Clock": "fake clocks are testing/synctest"},
	"archive":             {"Date": "civil.Date is the one date type"},
}

// TestAPIRetired: what issue #16 retires stays retired.
func TestAPIRetired(t *testing.T) {
	byRel := map[string]*apiPkg{}
	for _, p := range loadAPI(t) {
		byRel[p.rel] = p
	}
	v := violations{}
	for rel, ids := range retired {
		p := byRel[rel]
		if p == nil {
			continue
		}
		for id, why := range ids {
			if lookupIdent(p, id) {
				v.add(rel, id, "is retired by issue #16: %s", why)
			}
		}
	}
	v.check(t, "retired")
}

// lookupIdent reports whether the package exports id ("Name" or
// "Type.Method").
func lookupIdent(p *apiPkg, id string) bool {
	typ, method, ok := strings.Cut(id, ".")
	if !ok {
		return p.types.Scope().Lookup(id) != nil
	}
	n := named(p, typ)
	if n == nil {
		return false
	}
	_, ok = methods(n)[method]
	return ok
}

// TestPackageExamples: every public package shows its use in at least one
// Example function, which go test compiles (and runs, with an Output
// comment) so that it stays true. A package whose every exported function
// takes a *testing.T or testing.TB (a conformance suite, a test helper) is
// shown by its package doc alone.
func TestPackageExamples(t *testing.T) {
	v := violations{}
	for _, p := range loadAPI(t) {
		if !p.public() || p.rel == "." || testOnlyAPI(p) {
			continue
		}
		if !slices.ContainsFunc(p.tests, hasExample) {
			v.add(p.rel, "Example", "missing: the package has no Example function")
		}
	}
	v.check(t, "examples")
}

func hasExample(f *ast.File) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Example") {
			return true
		}
	}
	return false
}

// testOnlyAPI reports whether every exported function of the package takes a
// *testing.T or a testing.TB first.
func testOnlyAPI(p *apiPkg) bool {
	funcs := 0
	for _, obj := range exported(p) {
		f, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		funcs++
		ps := f.Type().(*types.Signature).Params()
		if ps.Len() == 0 {
			return false
		}
		if first := ps.At(0).Type().String(); first != "*testing.T" && first != "testing.TB" {
			return false
		}
	}
	return funcs > 0
}
