/*
 * The classic PAC helper functions, written for Ferry from their documented behaviour. Runs in every sandbox scope
 * before the PAC script. dnsResolve, myIpAddress and alert are Java host functions defined ahead of this file;
 * __ferryNow(gmt) is the injected clock: it answers [year, month 0-11, day, weekday 0-6 from Sunday, hour, minute,
 * second] and is removed from the global scope below, so PAC scripts never see it.
 */
(function (global, now) {
    var DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
    var MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

    /* A dotted quad as an unsigned 32-bit number, or -1 when the text is not one. */
    function ipv4(text) {
        var parts = String(text).split('.');
        if (parts.length !== 4) {
            return -1;
        }
        var value = 0;
        for (var i = 0; i < 4; i++) {
            if (!/^[0-9]{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) {
                return -1;
            }
            value = value * 256 + Number(parts[i]);
        }
        return value;
    }

    /* Both ends included; a range whose start lies after its end wraps around (FRI..MON, DEC..FEB). */
    function inClosedRange(value, from, to) {
        return from <= to ? from <= value && value <= to : value >= from || value <= to;
    }

    /* Start included, end excluded; wraps when the start lies after the end (22:00..06:00); empty when equal. */
    function inHalfOpenRange(value, from, to) {
        return from < to ? from <= value && value < to : from > to && (value >= from || value < to);
    }

    /* The arguments as an array, with a trailing "GMT" taken off and reported. */
    function splitGmt(args) {
        var list = Array.prototype.slice.call(args);
        var gmt = list.length > 0 && String(list[list.length - 1]).toUpperCase() === 'GMT';
        if (gmt) {
            list.pop();
        }
        return { list: list, gmt: gmt };
    }

    function isWholeNumber(value, min, max) {
        return typeof value === 'number' && Math.floor(value) === value && value >= min && value <= max;
    }

    /* One dateRange argument: a day (1-31), a month name, or a year (a number above 31); null when none. */
    function dateField(arg) {
        if (isWholeNumber(arg, 1, 31)) {
            return { kind: 0, value: arg };
        }
        if (typeof arg === 'string' && MONTHS.indexOf(arg.toUpperCase()) >= 0) {
            return { kind: 1, value: MONTHS.indexOf(arg.toUpperCase()) };
        }
        if (isWholeNumber(arg, 32, 9999)) {
            return { kind: 2, value: arg };
        }
        return null;
    }

    /* Orders dates by the fields present: year, then month, then day. */
    function dateKey(year, month, day) {
        return year * 10000 + month * 100 + day;
    }

    /* dateKey of a bound made of dateFields with strictly ascending kinds (day, month, year), or -1. */
    function boundKey(fields) {
        var parts = [0, 0, 0];
        for (var i = 0; i < fields.length; i++) {
            if (fields[i] === null || (i > 0 && fields[i].kind <= fields[i - 1].kind)) {
                return -1;
            }
            parts[fields[i].kind] = fields[i].kind === 1 ? fields[i].value + 1 : fields[i].value;
        }
        return dateKey(parts[2], parts[1], parts[0]);
    }

    function sameKinds(a, b) {
        for (var i = 0; i < a.length; i++) {
            if (a[i].kind !== b[i].kind) {
                return false;
            }
        }
        return true;
    }

    global.isPlainHostName = function isPlainHostName(host) {
        var h = String(host);
        // an IPv6 literal has no dots either, but it is no host name
        return h.indexOf('.') < 0 && h.indexOf(':') < 0;
    };

    global.dnsDomainIs = function dnsDomainIs(host, domain) {
        var h = String(host).toLowerCase();
        var d = String(domain).toLowerCase();
        return h.length >= d.length && h.substring(h.length - d.length) === d;
    };

    global.localHostOrDomainIs = function localHostOrDomainIs(host, hostdom) {
        var h = String(host).toLowerCase();
        var full = String(hostdom).toLowerCase();
        if (h === full) {
            return true;
        }
        return h.indexOf('.') < 0 && full.substring(0, h.length + 1) === h + '.';
    };

    global.dnsDomainLevels = function dnsDomainLevels(host) {
        return String(host).split('.').length - 1;
    };

    global.isResolvable = function isResolvable(host) {
        return dnsResolve(host) !== null;
    };

    global.convertAddr = function convertAddr(ip) {
        var value = ipv4(ip);
        return value < 0 ? NaN : value;
    };

    global.isInNet = function isInNet(host, pattern, mask) {
        var address = ipv4(host);
        if (address < 0) {
            var resolved = dnsResolve(host);
            address = resolved === null ? -1 : ipv4(resolved);
        }
        var net = ipv4(pattern);
        var bits = ipv4(mask);
        if (address < 0 || net < 0 || bits < 0) {
            return false;
        }
        return (address & bits) === (net & bits);
    };

    /* Shell-style match: '*' is any run of characters, '?' any one; everything else stands for itself. */
    global.shExpMatch = function shExpMatch(str, shexp) {
        var s = String(str);
        var p = String(shexp);
        var si = 0;
        var pi = 0;
        var starAt = -1;    // pattern index of the last '*' seen
        var resumeAt = 0;   // where in s that '*' currently stops
        while (si < s.length) {
            if (pi < p.length && p.charAt(pi) === '*') {
                starAt = pi++;
                resumeAt = si;
            } else if (pi < p.length && (p.charAt(pi) === '?' || p.charAt(pi) === s.charAt(si))) {
                si++;
                pi++;
            } else if (starAt >= 0) {
                // let the last '*' swallow one more character and try again from there
                pi = starAt + 1;
                si = ++resumeAt;
            } else {
                return false;
            }
        }
        while (pi < p.length && p.charAt(pi) === '*') {
            pi++;
        }
        return pi === p.length;
    };

    /* weekdayRange(wd1 [, wd2] [, "GMT"]), days SUN..SAT, both ends included, wrapping past SAT. */
    global.weekdayRange = function weekdayRange() {
        var args = splitGmt(arguments);
        if (args.list.length < 1 || args.list.length > 2) {
            return false;
        }
        var from = DAYS.indexOf(String(args.list[0]).toUpperCase());
        var to = args.list.length === 2 ? DAYS.indexOf(String(args.list[1]).toUpperCase()) : from;
        if (from < 0 || to < 0) {
            return false;
        }
        return inClosedRange(now(args.gmt)[3], from, to);
    };

    /*
     * dateRange(day | month | year), dateRange(day1, day2), dateRange(month1, month2), dateRange(year1, year2),
     * dateRange(day1, month1, day2, month2), dateRange(month1, year1, month2, year2),
     * dateRange(day1, month1, year1, day2, month2, year2), each with an optional trailing "GMT". Both ends are
     * included; without a year a range may wrap (dateRange("DEC", "FEB"), dateRange(25, 5)).
     */
    global.dateRange = function dateRange() {
        var args = splitGmt(arguments);
        var n = args.list.length;
        if (n !== 1 && n !== 2 && n !== 4 && n !== 6) {
            return false;
        }
        var half = n === 1 ? 1 : n / 2;
        var start = args.list.slice(0, half).map(dateField);
        var end = n === 1 ? start : args.list.slice(half).map(dateField);
        var from = boundKey(start);
        var to = boundKey(end);
        if (from < 0 || to < 0 || !sameKinds(start, end)) {
            return false;
        }
        if (half === 2 && start[0].kind === 0 && start[1].kind === 2) {
            return false; // day and year without a month is no documented form
        }
        var t = now(args.gmt);
        var has = [false, false, false];
        for (var i = 0; i < half; i++) {
            has[start[i].kind] = true;
        }
        var today = dateKey(has[2] ? t[0] : 0, has[1] ? t[1] + 1 : 0, has[0] ? t[2] : 0);
        return has[2] ? from <= today && today <= to : inClosedRange(today, from, to);
    };

    /*
     * timeRange(hour), timeRange(hour1, hour2), timeRange(hour1, min1, hour2, min2),
     * timeRange(hour1, min1, sec1, hour2, min2, sec2), each with an optional trailing "GMT". timeRange(hour) is that
     * whole hour; the ranges include their start and exclude their end (timeRange(9, 17) is 09:00:00 to 16:59:59)
     * and wrap past midnight when the start lies after the end.
     */
    global.timeRange = function timeRange() {
        var args = splitGmt(arguments);
        var a = args.list;
        var n = a.length;
        if (n !== 1 && n !== 2 && n !== 4 && n !== 6) {
            return false;
        }
        var half = n === 1 ? 1 : n / 2;
        for (var i = 0; i < n; i++) {
            if (!isWholeNumber(a[i], 0, i % half === 0 ? 23 : 59)) {
                return false;
            }
        }
        var t = now(args.gmt);
        if (n === 1) {
            return t[4] === a[0];
        }
        if (n === 2) {
            return inHalfOpenRange(t[4], a[0], a[1]);
        }
        if (n === 4) {
            return inHalfOpenRange(t[4] * 60 + t[5], a[0] * 60 + a[1], a[2] * 60 + a[3]);
        }
        return inHalfOpenRange(t[4] * 3600 + t[5] * 60 + t[6],
                a[0] * 3600 + a[1] * 60 + a[2], a[3] * 3600 + a[4] * 60 + a[5]);
    };
})(this, this.__ferryNow);

delete this.__ferryNow;
