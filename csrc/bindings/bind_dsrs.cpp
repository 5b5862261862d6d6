#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <string>

#include "bindings/register.h"
#include "bindings/arrays.h"
#include "certify/dsrs.h"
#include "noise/gengauss.h"
#include "smoothcert/dsrs.h"

namespace py = pybind11;

namespace smoothcert::bindings {

namespace {

using Arr = py::array_t<double, py::array::c_style | py::array::forcecast>;

certify::GenGaussParams check_params(int64_t dim, double k, double sigma) {
  if (dim < 2) throw py::value_error("dim must be an integer >= 2, got " + std::to_string(dim));
  if (!(k >= 0) || !(2 * k < static_cast<double>(dim)))
    throw py::value_error("k must satisfy 0 <= k < dim/2 = " + std::to_string(dim / 2.0) + ", got " +
                          std::to_string(k));
  if (!(sigma > 0) || !std::isfinite(sigma))
    throw py::value_error("sigma must be a finite number > 0, got " + std::to_string(sigma));
  return certify::GenGaussParams{dim, k, sigma};
}

void check_unit(const char* name, const Arr& a) {
  const double* p = a.data();
  for (py::ssize_t i = 0; i < a.size(); ++i)
    if (!(p[i] >= 0 && p[i] <= 1)) throw py::value_error(std::string(name) + " must lie in [0, 1] (no NaN)");
}

void check_order(const char* lo_name, const Arr& lo, const char* hi_name, const Arr& hi) {
  for (py::ssize_t i = 0; i < lo.size(); ++i)
    if (lo.data()[i] > hi.data()[i])
      throw py::value_error(std::string(lo_name) + " must be <= " + hi_name + " (input " + std::to_string(i) + ")");
}

certify::SecondKind parse_kind(const std::string& kind) {
  if (kind == "sigma") return certify::SecondKind::kSigma;
  if (kind == "ball") return certify::SecondKind::kBall;
  throw py::value_error("kind must be 'sigma' or 'ball', got '" + kind + "'");
}

void check_q_param(certify::SecondKind kind, const Arr& q, double sigma) {
  for (py::ssize_t i = 0; i < q.size(); ++i) {
    const double v = q.data()[i];
    if (kind == certify::SecondKind::kSigma && !(v > 0 && std::isfinite(v) && v != sigma))
      throw py::value_error("q_param (sigma of Q) must be finite, > 0 and != sigma of P");
    if (kind == certify::SecondKind::kBall && !(v > 0 && v < 1))
      throw py::value_error("q_param (percentile beta of the ball) must lie in (0, 1)");
  }
}

Arr np_radius(int64_t dim, double k, double sigma, const Arr& p_low) {
  const auto P = check_params(dim, k, sigma);
  check_unit("p_low", p_low);
  Arr out(p_low.size());
  const double* pl = p_low.data();
  double* o = out.mutable_data();
  const int64_t n = p_low.size();
  py::gil_scoped_release release;
  certify::gengauss_np_radius(P, pl, o, n);
  return out;
}

Arr dsrs_radius(int64_t dim, double k, double sigma, const std::string& kind, const Arr& q_param, const Arr& p_low,
                const Arr& p_high, const Arr& q_low, const Arr& q_high, const std::optional<Arr>& r_start) {
  const auto P = check_params(dim, k, sigma);
  const auto K = parse_kind(kind);
  const py::ssize_t n = p_low.size();
  for (const Arr* a : {&q_param, &p_high, &q_low, &q_high})
    if (a->size() != n) throw py::value_error("p_low, p_high, q_low, q_high and q_param must have the same length");
  if (r_start && r_start->size() != n) throw py::value_error("r_start must have the length of p_low");
  check_unit("p_low", p_low);
  check_unit("p_high", p_high);
  check_unit("q_low", q_low);
  check_unit("q_high", q_high);
  check_order("p_low", p_low, "p_high", p_high);
  check_order("q_low", q_low, "q_high", q_high);
  check_q_param(K, q_param, sigma);
  Arr out(n);
  const double* rs = r_start ? r_start->data() : nullptr;
  const double *qp = q_param.data(), *pl = p_low.data(), *ph = p_high.data(), *ql = q_low.data(),
               *qh = q_high.data();
  double* o = out.mutable_data();
  py::gil_scoped_release release;
  certify::gengauss_dsrs_radius(P, K, qp, pl, ph, ql, qh, rs, o, n);
  return out;
}

dsrs::QSpec make_q(const dsrs::Model& m, const std::string& kind, double q_param) {
  if (kind == "none") return dsrs::QSpec::none();
  const auto K = parse_kind(kind);
  return K == certify::SecondKind::kSigma ? dsrs::QSpec::sigma_q(m, q_param) : dsrs::QSpec::ball(m, q_param);
}

noise::GenGaussShape sampler_shape(int64_t dim, double k, double sigma, double g_max) {
  check_params(dim, k, sigma);
  if (!(g_max > 0)) throw py::value_error("g_max must be > 0 (use inf for no threshold)");
  const double a = 0.5 * static_cast<double>(dim) - k;
  const double scale = std::sqrt(2.0) * sigma * std::sqrt(static_cast<double>(dim) / (static_cast<double>(dim) - 2 * k));
  return noise::GenGaussShape{a, scale, g_max};
}

template <class T>
void gengauss_sample(const py::array_t<T, py::array::forcecast>& x, py::array_t<T>& out, double k, double sigma,
                     double g_max, uint64_t seed, uint32_t role, int64_t index0, int64_t sample0) {
  const noise::IidProblem pb = check_noise_buffers<T>(x, out, seed, role, index0, sample0);
  const auto shape = sampler_shape(pb.dim, k, sigma, g_max);
  const T* xp = x.data();
  T* op = out.mutable_data();
  py::gil_scoped_release release;
  noise::gengauss_sample_cpu<T>(xp, op, pb, shape);
}

void register_sampler(py::module_& m) {
  const char* doc = "out[i, j, :] = x[i, :] + L sqrt(G) u, u a uniform direction, G ~ Gamma(d/2 - k) (G <= g_max).";
  m.def("gengauss_sample", &gengauss_sample<float>, py::arg("x"), py::arg("out"), py::arg("k"), py::arg("sigma"),
        py::arg("g_max"), py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"), doc);
  m.def("gengauss_sample", &gengauss_sample<double>, py::arg("x"), py::arg("out"), py::arg("k"), py::arg("sigma"),
        py::arg("g_max"), py::arg("seed"), py::arg("role"), py::arg("index0"), py::arg("sample0"), doc);
#if defined(SMOOTHCERT_WITH_CUDA)
  m.def("gengauss_sample_cuda",
        [](uintptr_t x, uintptr_t out, int64_t inputs, int64_t samples, int64_t dim, int bits, double k, double sigma,
           double g_max, uint64_t seed, uint32_t role, int64_t index0, int64_t sample0, uintptr_t stream) {
          const auto shape = sampler_shape(dim, k, sigma, g_max);
          const noise::IidProblem pb{inputs, samples, dim, seed, role, index0, sample0};
          if (bits == 32)
            noise::gengauss_sample_cuda_f32(reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out), pb,
                                            shape, stream);
          else if (bits == 64)
            noise::gengauss_sample_cuda_f64(reinterpret_cast<const double*>(x), reinterpret_cast<double*>(out), pb,
                                            shape, stream);
          else
            throw py::value_error("dtype must be float32 or float64");
        },
        py::arg("x"), py::arg("out"), py::arg("inputs"), py::arg("samples"), py::arg("dim"), py::arg("bits"),
        py::arg("k"), py::arg("sigma"), py::arg("g_max"), py::arg("seed"), py::arg("role"), py::arg("index0"),
        py::arg("sample0"), py::arg("stream"), "Device-pointer twin of gengauss_sample.");
#endif
}

}  // namespace

void register_dsrs(py::module_& m) {
  m.def("np_radius", &np_radius, py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("p_low"),
        "Neyman–Pearson l2 radius of generalized-Gaussian smoothing for each p_A lower bound (NaN if <= 1/2).");
  m.def("dsrs_radius", &dsrs_radius, py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("kind"),
        py::arg("q_param"), py::arg("p_low"), py::arg("p_high"), py::arg("q_low"), py::arg("q_high"),
        py::arg("r_start") = py::none(),
        "DSRS l2 radius; kind 'sigma' (Q generalized Gaussian with sigma q_param) or 'ball' (P restricted to "
        "the Gamma(d/2-k) percentile q_param).");
  m.def(
      "evaluate",
      [](int64_t dim, double k, double sigma, const std::string& kind, double q_param, double r, double p_low,
         double p_high, double q_low, double q_high) {
        check_params(dim, k, sigma);
        const auto cdf = gengauss::cosine_cdf_for(dim);
        const dsrs::Model mod(dim, k, sigma, cdf.get());
        const dsrs::QSpec q = make_q(mod, kind, q_param);
        const auto ev = dsrs::evaluate(mod, q, static_cast<long double>(r) / mod.scale, p_low, p_high, q_low, q_high);
        py::dict d;
        d["bound"] = static_cast<double>(ev.bound);
        d["log_lambda1"] = static_cast<double>(ev.dual.u);
        d["sign"] = ev.dual.sign;
        d["upper_p"] = ev.dual.neg;
        d["s"] = static_cast<double>(ev.dual.s);
        d["lambda1"] = static_cast<double>(ev.dual.lambda1());
        d["lambda2"] = static_cast<double>(ev.dual.lambda2());
        d["p"] = static_cast<double>(ev.p);
        d["q"] = static_cast<double>(ev.q);
        d["p_delta"] = static_cast<double>(ev.pd);
        return d;
      },
      py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("kind"), py::arg("q_param"), py::arg("r"),
      py::arg("p_low"), py::arg("p_high"), py::arg("q_low"), py::arg("q_high"),
      "The dual at shift r (input units): multipliers, P[S], Q[S], P_delta[S] and the certified bound.");
  m.def(
      "integrals",
      [](int64_t dim, double k, double sigma, const std::string& kind, double q_param, double r,
         double log_lambda1, int sign, double s, bool upper_p) {
        check_params(dim, k, sigma);
        const auto cdf = gengauss::cosine_cdf_for(dim);
        const dsrs::Model mod(dim, k, sigma, cdf.get());
        const dsrs::QSpec q = make_q(mod, kind, q_param);
        dsrs::Dual dl;
        dl.u = log_lambda1;
        dl.sign = sign;
        dl.s = s;
        dl.neg = upper_p;
        const long double rn = static_cast<long double>(r) / mod.scale;
        long double pq[2];
        dsrs::p_q_integrals(mod, q, dl, rn, pq);
        const long double pd = dsrs::p_delta_integral(mod, q, dl, rn);
        return py::make_tuple(static_cast<double>(pq[0]), static_cast<double>(pq[1]), static_cast<double>(pd));
      },
      py::arg("dim"), py::arg("k"), py::arg("sigma"), py::arg("kind"), py::arg("q_param"), py::arg("r"),
      py::arg("log_lambda1"), py::arg("sign"), py::arg("s"), py::arg("upper_p") = false,
      "(P[S], Q[S], P_delta[S]) for S = {p(x - delta) < lambda1 p(x) (1 + sign e^s q(x)/p(x))}, |delta| = r.");
  m.def(
      "cosine_cdf",
      [](int64_t dim, const Arr& t) {
        if (dim < 2) throw py::value_error("dim must be >= 2");
        const auto cdf = gengauss::cosine_cdf_for(dim);
        Arr out(t.size());
        for (py::ssize_t i = 0; i < t.size(); ++i) out.mutable_data()[i] = static_cast<double>((*cdf)(t.data()[i]));
        return out;
      },
      py::arg("dim"), py::arg("t"), "P[cos(theta) <= t] for a uniform direction in dim dimensions.");
  m.def("gamma_p", [](double a, double x) { return static_cast<double>(gengauss::gamma_p(a, x)); }, py::arg("a"),
        py::arg("x"), "Regularised lower incomplete gamma P(a, x).");
  m.def("gamma_p_inv", [](double a, double p) { return static_cast<double>(gengauss::gamma_p_inv(a, p)); },
        py::arg("a"), py::arg("p"), "Inverse of P(a, .) .");
  m.def("ell_inverse", [](double k, double h) { return static_cast<double>(gengauss::ell_inverse(k, h)); },
        py::arg("k"), py::arg("h"), "The W > 0 with W + k ln W = -h.");
  register_sampler(m);
}

}  // namespace smoothcert::bindings
