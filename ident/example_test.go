package ident_test

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/grunnmur/grunnmur/ident"
)

func ExampleParseFodselsnummer() {
	fnr, err := ident.ParseFodselsnummer("20036914700")
	if err != nil {
		panic(err)
	}
	fmt.Println(fnr, fnr.Kinds(), fnr.Rule(), fnr.BirthDate())
	fmt.Printf("%v %+v\n", fnr, struct{ FNR ident.Fodselsnummer }{fnr})

	_, err = ident.ParseFodselsnummer("20036914712")
	fmt.Println(err, errors.Is(err, ident.ErrControlDigit))
	// Output:
	// 200369***** fnr 1964 1969-03-20
	// 200369***** {FNR:200369*****}
	// ident: invalid fødselsnummer: wrong control digit (second control digit) true
}

func ExampleFodselsnummer_LogValue() {
	fnr := ident.MustParseFodselsnummer("55102499947") // a D-nummer
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("oppslag", "fnr", fnr, "kinds", fnr.Kinds().String())
	// Output:
	// {"level":"INFO","msg":"oppslag","fnr":"551024*****","kinds":"dnr"}
}

func ExampleFodselsnummer_Reveal() {
	fnr := ident.MustParseFodselsnummer("20036914700")
	// Reveal is the one way to the digits: for an API payload or a database column.
	payload := map[string]string{"personidentifikator": fnr.Reveal()}
	fmt.Println(payload["personidentifikator"])
	// Output: 20036914700
}

func ExampleNewKID() {
	mod10, _ := ident.NewKID("1234567890", ident.MOD10)
	mod11, _ := ident.NewKID("1234567890", ident.MOD11)
	_, alg, _ := ident.ParseKID(string(mod11))
	fmt.Println(mod10, mod11, alg)
	// Output: 12345678903 12345678903 MOD10+MOD11
}

func ExampleParseKontonummer() {
	k, err := ident.ParseKontonummer("8601 11 17947")
	fmt.Println(k, k.Format(), err)
	// Output: 86011117947 8601.11.17947 <nil>
}
