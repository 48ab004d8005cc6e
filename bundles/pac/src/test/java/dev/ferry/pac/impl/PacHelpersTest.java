package dev.ferry.pac.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The PAC helper functions, each called from a real PAC script. The script evaluates the JavaScript expression
 * carried in the URL's query and answers PROXY yes, no or other. The clock is fixed at 2024-12-31 23:30:15 GMT, a
 * Tuesday, which in the clock's zone (Tokyo, GMT+9) is Wednesday 2025-01-01 08:30:15.
 */
public class PacHelpersTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String EVALUATOR = "function FindProxyForURL(url, host) {\n"
            + "  var r = eval(decodeURIComponent(url.substring(url.indexOf('?') + 1)));\n"
            + "  return r === true ? 'PROXY yes' : r === false ? 'PROXY no' : 'PROXY other';\n"
            + "}\n";

    @Rule
    public final PacFixture pac = new PacFixture();

    private PacProxyResolver resolver;

    @Before
    public void setUp() throws IOException {
        Clock clock = Clock.fixed(Instant.parse("2024-12-31T23:30:15Z"), ZoneId.of("Asia/Tokyo"));
        resolver = pac.resolver(clock, pac.write(EVALUATOR).toString(), "onError", "FAIL");
    }

    private String eval(String expression) {
        StringBuilder query = new StringBuilder();
        for (byte b : expression.getBytes(StandardCharsets.UTF_8)) {
            query.append('%').append(String.format("%02X", b & 0xff));
        }
        return PacFixture.resolve(resolver, "http://helpers.test/?" + query).first().host();
    }

    private void assertTrueIn(String expression) {
        assertEquals(expression, "yes", eval(expression));
    }

    private void assertFalseIn(String expression) {
        assertEquals(expression, "no", eval(expression));
    }

    @Test
    public void isPlainHostName() {
        assertTrueIn("isPlainHostName('intranet')");
        assertFalseIn("isPlainHostName('www.example.org')");
        assertFalseIn("isPlainHostName('::1')");
    }

    @Test
    public void dnsDomainIs() {
        assertTrueIn("dnsDomainIs('www.example.org', '.example.org')");
        assertTrueIn("dnsDomainIs('WWW.Example.ORG', '.example.org')");
        assertFalseIn("dnsDomainIs('www', '.example.org')");
        assertFalseIn("dnsDomainIs('www.example.com', '.example.org')");
    }

    @Test
    public void localHostOrDomainIs() {
        assertTrueIn("localHostOrDomainIs('www.mozilla.org', 'www.mozilla.org')");
        assertTrueIn("localHostOrDomainIs('www', 'www.mozilla.org')");
        assertFalseIn("localHostOrDomainIs('www.google.com', 'www.mozilla.org')");
        assertFalseIn("localHostOrDomainIs('home.mozilla.org', 'www.mozilla.org')");
        assertFalseIn("localHostOrDomainIs('ww', 'www.mozilla.org')");
    }

    @Test
    public void dnsDomainLevels() {
        assertTrueIn("dnsDomainLevels('www') === 0");
        assertTrueIn("dnsDomainLevels('www.example.org') === 2");
    }

    @Test
    public void shExpMatch() {
        assertTrueIn("shExpMatch('http://home.netscape.com/people/ari/index.html', '*/ari/*')");
        assertFalseIn("shExpMatch('http://home.netscape.com/people/montulli/index.html', '*/ari/*')");
        assertTrueIn("shExpMatch('www.example.org', '*.example.*')");
        assertTrueIn("shExpMatch('a1c', 'a?c')");
        assertFalseIn("shExpMatch('ac', 'a?c')");
        assertTrueIn("shExpMatch('a.b', 'a.b')");
        assertFalseIn("shExpMatch('axb', 'a.b')"); // '.' is no regular-expression wildcard
        assertTrueIn("shExpMatch('', '*')");
        assertTrueIn("shExpMatch('aXbXc', '*b*c')");
        assertFalseIn("shExpMatch('abcd', '*b*c')");
        assertTrueIn("shExpMatch('" + "a".repeat(200) + "', '" + "*a".repeat(20) + "')");
        assertFalseIn("shExpMatch('" + "a".repeat(200) + "', '" + "*a".repeat(20) + "b')");
    }

    @Test
    public void isInNetWithMask() {
        assertTrueIn("isInNet('10.1.2.3', '10.1.0.0', '255.255.0.0')");
        assertFalseIn("isInNet('10.2.2.3', '10.1.0.0', '255.255.0.0')");
        assertTrueIn("isInNet('10.1.2.3', '10.1.2.3', '255.255.255.255')");
        assertFalseIn("isInNet('10.1.2.4', '10.1.2.3', '255.255.255.255')");
        assertTrueIn("isInNet('200.1.2.3', '200.0.0.0', '255.0.0.0')"); // high bit set
        assertTrueIn("isInNet('localhost', '127.0.0.0', '255.0.0.0')");
        assertFalseIn("isInNet('10.1.2.3', '10.1.0.0', 'garbage')");
        assertTrueIn("convertAddr('104.16.41.2') === 1745889538");
        assertTrueIn("isNaN(convertAddr('1.2.3'))");
    }

    @Test
    public void dnsHelpers() {
        assertTrueIn("isResolvable('localhost')");
        assertTrueIn("dnsResolve('localhost') === '127.0.0.1'");
        assertTrueIn("dnsResolve('192.0.2.7') === '192.0.2.7'");
        assertTrueIn("dnsResolve('') === null");
        assertTrueIn("/^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$/.test(myIpAddress())");
        assertTrueIn("alert('hello from a test') === undefined");
    }

    @Test
    public void theClockHandleIsHidden() {
        assertTrueIn("typeof __ferryNow === 'undefined'");
    }

    @Test
    public void weekdayRange() {
        assertTrueIn("weekdayRange('WED')");
        assertFalseIn("weekdayRange('TUE')");
        assertTrueIn("weekdayRange('TUE', 'GMT')");
        assertTrueIn("weekdayRange('MON', 'FRI')");
        assertFalseIn("weekdayRange('THU', 'SAT')");
        assertTrueIn("weekdayRange('SAT', 'WED')");        // wraps past Saturday
        assertFalseIn("weekdayRange('SAT', 'TUE')");
        assertTrueIn("weekdayRange('SAT', 'TUE', 'GMT')");
        assertTrueIn("weekdayRange('wed')");
        assertFalseIn("weekdayRange('XYZ')");
    }

    @Test
    public void dateRangeSingleValues() {
        assertTrueIn("dateRange(1)");
        assertFalseIn("dateRange(31)");
        assertTrueIn("dateRange(31, 'GMT')");
        assertTrueIn("dateRange('JAN')");
        assertTrueIn("dateRange('DEC', 'GMT')");
        assertTrueIn("dateRange(2025)");
        assertFalseIn("dateRange(2024)");
        assertTrueIn("dateRange(2024, 'GMT')");
    }

    @Test
    public void dateRangePairs() {
        assertTrueIn("dateRange(1, 15)");
        assertFalseIn("dateRange(2, 15)");
        assertTrueIn("dateRange(30, 2)");                   // days wrap past the month's end
        assertTrueIn("dateRange('NOV', 'FEB')");            // months wrap past December
        assertFalseIn("dateRange('FEB', 'NOV')");
        assertTrueIn("dateRange('FEB', 'NOV', 'GMT') === false && dateRange('NOV', 'DEC', 'GMT')");
        assertTrueIn("dateRange(2020, 2030)");
        assertFalseIn("dateRange(2020, 2024)");
        assertTrueIn("dateRange(2020, 2024, 'GMT')");
    }

    @Test
    public void dateRangeDayMonthYearForms() {
        assertTrueIn("dateRange(15, 'DEC', 15, 'JAN')");   // wraps past the year's end
        assertFalseIn("dateRange(2, 'JAN', 15, 'DEC')");
        assertTrueIn("dateRange(1, 'JAN', 31, 'DEC')");
        assertTrueIn("dateRange('DEC', 2024, 'JAN', 2025)");
        assertFalseIn("dateRange('FEB', 2025, 'MAR', 2025)");
        assertFalseIn("dateRange(1, 'JAN', 2024, 31, 'DEC', 2024)");
        assertTrueIn("dateRange(1, 'JAN', 2024, 31, 'DEC', 2024, 'GMT')");
        assertTrueIn("dateRange(31, 'DEC', 2024, 1, 'JAN', 2025)");
        assertFalseIn("dateRange(1, 2025)");                 // a day and a year are no form
        assertFalseIn("dateRange('JAN', 1, 'DEC', 31)");     // month before day
        assertFalseIn("dateRange(1, 2, 3)");
    }

    @Test
    public void timeRange() {
        assertTrueIn("timeRange(8)");
        assertFalseIn("timeRange(23)");
        assertTrueIn("timeRange(23, 'GMT')");
        assertTrueIn("timeRange(8, 9)");
        assertFalseIn("timeRange(9, 17)");
        assertFalseIn("timeRange(7, 8)");                   // the end hour is excluded
        assertTrueIn("timeRange(22, 9)");                   // wraps past midnight
        assertFalseIn("timeRange(22, 8)");
        assertTrueIn("timeRange(22, 0, 'GMT') && timeRange(23, 0, 'GMT')"); // 22:00 up to midnight
        assertFalseIn("timeRange(0, 23, 'GMT')");
        assertTrueIn("timeRange(8, 30, 8, 31)");
        assertFalseIn("timeRange(8, 31, 9, 0)");
        assertTrueIn("timeRange(23, 59, 8, 31)");           // minutes form wrapping
        assertTrueIn("timeRange(8, 30, 15, 8, 30, 16)");
        assertFalseIn("timeRange(8, 30, 16, 8, 30, 17)");
        assertTrueIn("timeRange(23, 30, 0, 23, 31, 0, 'GMT')");
        assertFalseIn("timeRange(24)");
        assertFalseIn("timeRange(8, 60, 9, 0)");
    }
}
