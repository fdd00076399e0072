package fetch

// CheckURL tells, without sending anything, whether the client refuses raw
// before any DNS answer: a scheme other than http(s), a malformed host, or
// an IP literal (in any spelling) or localhost name that the guard blocks,
// with Config.AllowAddrs and AllowAddrPorts honoured. Places that store an
// address for later fetching (a feed added through the API) call it so that
// a refused address is refused at once, not at every poll. Host names are
// not resolved here: their answers may change by the time of the fetch, so
// the guard checks them when it dials. A replaying client checks the syntax
// only, as it never dials.
func (c *Client) CheckURL(raw string) error {
	_, err := c.parseURL(raw)
	return err
}
