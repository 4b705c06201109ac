import Glibc

/// A value with its first and second derivatives along one variable x:
/// (f, f', f''). Arithmetic on jets is second-order forward-mode differentiation,
/// exact to rounding, so an exact log Z written once with jets also gives
/// U = -d log Z / d beta and C = beta^2 d^2 log Z / d beta^2 without finite
/// differences.
public struct Jet: Sendable, Equatable {
    public var value: Double
    public var d1: Double
    public var d2: Double

    @inline(__always)
    public init(_ value: Double, _ d1: Double = 0, _ d2: Double = 0) {
        self.value = value
        self.d1 = d1
        self.d2 = d2
    }

    /// The variable itself, x = value (dx/dx = 1).
    public static func variable(_ value: Double) -> Jet { Jet(value, 1, 0) }

    /// g(f(x)) from g, g' and g'' evaluated at f(x) (the chain rule to second order).
    @inline(__always)
    public func lifted(_ g: Double, _ g1: Double, _ g2: Double) -> Jet {
        Jet(g, g1 * d1, g2 * d1 * d1 + g1 * d2)
    }

    public static func + (a: Jet, b: Jet) -> Jet { Jet(a.value + b.value, a.d1 + b.d1, a.d2 + b.d2) }
    public static func - (a: Jet, b: Jet) -> Jet { Jet(a.value - b.value, a.d1 - b.d1, a.d2 - b.d2) }
    public static prefix func - (a: Jet) -> Jet { Jet(-a.value, -a.d1, -a.d2) }
    public static func + (a: Jet, b: Double) -> Jet { Jet(a.value + b, a.d1, a.d2) }
    public static func - (a: Jet, b: Double) -> Jet { Jet(a.value - b, a.d1, a.d2) }
    public static func - (a: Double, b: Jet) -> Jet { Jet(a - b.value, -b.d1, -b.d2) }
    public static func + (a: Double, b: Jet) -> Jet { b + a }
    public static func * (a: Jet, b: Double) -> Jet { Jet(a.value * b, a.d1 * b, a.d2 * b) }
    public static func * (a: Double, b: Jet) -> Jet { b * a }
    public static func * (a: Jet, b: Jet) -> Jet {
        Jet(a.value * b.value, a.d1 * b.value + a.value * b.d1, a.d2 * b.value + 2 * a.d1 * b.d1 + a.value * b.d2)
    }
    public static func / (a: Jet, b: Jet) -> Jet { a * b.reciprocal }
    public static func / (a: Jet, b: Double) -> Jet { Jet(a.value / b, a.d1 / b, a.d2 / b) }
    public static func += (a: inout Jet, b: Jet) { a = a + b }

    public var reciprocal: Jet {
        let r = 1 / value
        return lifted(r, -r * r, 2 * r * r * r)
    }
}

/// Elementary functions of jets.
public extension Jet {
    static func exp(_ x: Jet) -> Jet { let e = Glibc.exp(x.value); return x.lifted(e, e, e) }
    /// e^x - 1, accurate near 0.
    static func expm1(_ x: Jet) -> Jet { let e = Glibc.exp(x.value); return x.lifted(Glibc.expm1(x.value), e, e) }
    static func log(_ x: Jet) -> Jet { let r = 1 / x.value; return x.lifted(Glibc.log(x.value), r, -r * r) }
    /// log(1 + x), accurate near 0.
    static func log1p(_ x: Jet) -> Jet { let r = 1 / (1 + x.value); return x.lifted(Glibc.log1p(x.value), r, -r * r) }
    static func sqrt(_ x: Jet) -> Jet {
        let s = x.value.squareRoot()
        return x.lifted(s, 0.5 / s, -0.25 / (s * x.value))
    }
    static func sinh(_ x: Jet) -> Jet { x.lifted(Glibc.sinh(x.value), Glibc.cosh(x.value), Glibc.sinh(x.value)) }
    static func cosh(_ x: Jet) -> Jet { x.lifted(Glibc.cosh(x.value), Glibc.sinh(x.value), Glibc.cosh(x.value)) }
    static func tanh(_ x: Jet) -> Jet {
        let t = Glibc.tanh(x.value)
        let s = 1 - t * t
        return x.lifted(t, s, -2 * t * s)
    }
    /// x^n for a real exponent n (x > 0, or any x when n is a whole number).
    static func pow(_ x: Jet, _ n: Double) -> Jet {
        x.lifted(Glibc.pow(x.value, n), n * Glibc.pow(x.value, n - 1), n * (n - 1) * Glibc.pow(x.value, n - 2))
    }
    /// |x| (x != 0 where derivatives matter).
    static func abs(_ x: Jet) -> Jet { x.value < 0 ? -x : x }

    /// log(2 cosh x) = |x| + log1p(e^(-2|x|)), without overflow for any x.
    static func logTwoCosh(_ x: Jet) -> Jet {
        let a = Swift.abs(x.value)
        let t = Glibc.tanh(x.value)
        return x.lifted(a + Glibc.log1p(Glibc.exp(-2 * a)), t, 1 - t * t)
    }

    /// log(2 sinh x) for x > 0: x + log(-expm1(-2x)), accurate for tiny and huge x.
    static func logTwoSinh(_ x: Jet) -> Jet {
        let v = x.value
        let coth = 1 / Glibc.tanh(v)
        return x.lifted(v + Glibc.log(-Glibc.expm1(-2 * v)), coth, 1 - coth * coth)
    }

    /// log(tanh x) for x > 0, with derivatives 2 / sinh 2x and -4 cosh 2x / sinh^2 2x.
    static func logTanh(_ x: Jet) -> Jet {
        let v = x.value
        let s2 = Glibc.sinh(2 * v)
        // log tanh x = log1p(-2 / (e^2x + 1)).
        return x.lifted(Glibc.log1p(-2 / (Glibc.exp(2 * v) + 1)), 2 / s2, -4 * Glibc.cosh(2 * v) / (s2 * s2))
    }

    /// arccosh(1 + d) for d >= 0, accurate when d is tiny: log1p(d + sqrt(d (d + 2))).
    static func acosh1p(_ d: Jet) -> Jet {
        let v = d.value
        let root = (v * (v + 2)).squareRoot()
        // (d/dd) acosh(1 + d) = 1 / sqrt(d (d + 2));  second derivative -(1 + d) / (d (d + 2))^(3/2).
        return d.lifted(Glibc.log1p(v + root), 1 / root, -(1 + v) / (root * root * root))
    }

    /// log(e^a + e^b) of jets.
    static func logAddExp(_ a: Jet, _ b: Jet) -> Jet {
        let (hi, lo) = a.value >= b.value ? (a, b) : (b, a)
        guard lo.value > -.infinity else { return hi }
        return hi + log1p(exp(lo - hi))
    }
}
