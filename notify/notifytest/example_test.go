package notifytest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/secret"
)

type mp struct{}

func (mp) Token(context.Context) (*maskinporten.Token, error) {
	return &maskinporten.Token{AccessToken: secret.New("a-maskinporten-token")}, nil
}

func ExampleAltinn() {
	fake := notifytest.NewAltinn(notifytest.AltinnConfig{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	a, err := notify.NewAltinn(notify.AltinnConfig{BaseURL: srv.URL + "/notifications/api/v1", Maskinporten: mp{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	s, _ := notify.New(notify.Config{Email: a})
	for _, to := range []string{"kari@example.no", notifytest.PermFailEmail} {
		_, err := s.Send(ctx, notify.Message{Key: "kvittering/" + to, Channel: notify.Email, To: notify.NewAddress(to), Subject: "Kvittering", Text: "Mottatt"})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	if _, err := a.FoldFeed(ctx, s, 0); err != nil {
		fmt.Println(err)
		return
	}
	for _, key := range []string{"kvittering/kari@example.no", "kvittering/" + notifytest.PermFailEmail} {
		r, _ := s.Get(ctx, key)
		fmt.Println(strings.TrimSpace(fmt.Sprint(r.To, " ", r.Status, " ", r.Reason)))
	}
	fmt.Println(len(fake.Delivered()), "delivered")
	// Output:
	// k***@example.no delivered
	// p***@simulator.notify failed-permanent Email_Failed_Bounced
	// 1 delivered
}
