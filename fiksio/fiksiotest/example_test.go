package fiksiotest_test

import (
	"context"
	"fmt"

	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
)

// New needs the real broker and the fake Maskinporten that issues the
// tokens it accepts; it says what is missing.
func ExampleNew() {
	_, err := fiksiotest.New(context.Background(), fiksiotest.Config{BrokerURL: "amqp://guest:guest@127.0.0.1:5672/"})
	fmt.Println(err)
	fmt.Println("delivery limit:", fiksiotest.DeliveryLimit)
	// Output:
	// fiksiotest: Config.Maskinporten is required
	// delivery limit: 3
}
