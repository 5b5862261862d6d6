// CPU shells for hierarchical noise. Threads split the (input, sample) rows; each row first draws its
// selection mask, then adds noise to the selected entities only. Nothing depends on the thread layout.
#include <cmath>
#include <vector>

#include "noise/hierarchical_noise.h"
#include "noise/rows_cpu.h"
#include "smoothcert/variates/gaussian_gen.h"
#include "smoothcert/variates/hierarchical_selection.h"

namespace smoothcert::noise {
namespace {

void draw_selection(const HierProblem& pb, const philox::Key& key, uint64_t sample, uint32_t input,
                    uint8_t* sel) {
  // One Philox block per four entities (hierarchical::entity_selected reads the same words).
  const uint64_t thr = hierarchical::select_threshold(pb.selection_prob);
  const int64_t blocks = (pb.entities + 3) / 4;
#pragma omp simd
  for (int64_t b = 0; b < blocks; ++b) {
    const philox::Block w = philox::philox4x32_10(
        philox::make_counter(static_cast<uint32_t>(b), sample, input, hierarchical::kSelectDraw), key);
    const uint32_t words[4] = {w.v0, w.v1, w.v2, w.v3};
    for (int q = 0; q < 4; ++q)
      if (4 * b + q < pb.entities) sel[4 * b + q] = static_cast<uint64_t>(words[q]) < thr ? 1 : 0;
  }
}

// Indicator values: the extra channel (all its features) or the extra feature column (all channels).
template <class T>
void write_indicator(const HierProblem& pb, const uint8_t* sel, T* o) {
  const int64_t fo = pb.features + pb.ind_feature;
  if (pb.ind_channel) {
    T* oc = o + pb.channels * pb.entities * fo;
    for (int64_t e = 0; e < pb.entities; ++e)
      for (int64_t f = 0; f < fo; ++f) oc[e * fo + f] = T(sel[e]);
  }
  if (pb.ind_feature) {
    const int64_t co = pb.channels + pb.ind_channel;
    for (int64_t c = 0; c < co; ++c)
      for (int64_t e = 0; e < pb.entities; ++e) o[(c * pb.entities + e) * fo + pb.features] = T(sel[e]);
  }
}

}  // namespace

template <class T>
void hierarchical_gaussian_cpu(const T* x, T* out, const HierProblem& pb, T sigma) {
  const GaussianGen<T> gen{sigma};
  const int64_t dim = pb.in_dim();
  const int64_t odim = pb.out_dim();
  const int64_t rows = pb.inputs * pb.samples;
  const int64_t fo = pb.features + pb.ind_feature;
  const RowKey key(philox::make_key(pb.seed, pb.role));
#pragma omp parallel if (run_parallel(rows, dim))
  {
    std::vector<uint8_t> sel(static_cast<size_t>(pb.entities));
    std::vector<T> nz(static_cast<size_t>(dim));
#pragma omp for schedule(static)
    for (int64_t row = 0; row < rows; ++row) {
      const auto [i, sample, input] = row_ids(pb, row);
      const T* xi = x + i * dim;
      T* o = out + row * odim;
      draw_selection(pb, key.key, sample, input, sel.data());
      T* nzr = nz.data();
      iid_row<T>(gen, key, sample, input, dim, [nzr](int64_t e, T v) { nzr[e] = v; });
      if (pb.features == 1 && pb.ind_feature == 0) {
        // Channels-first images: element c * entities + entity, output laid out the same.
        for (int64_t c = 0; c < pb.channels; ++c) {
          const int64_t off = c * pb.entities;
          for (int64_t e = 0; e < pb.entities; ++e)
            o[off + e] = sel[e] ? xi[off + e] + nz[off + e] : xi[off + e];
        }
      } else {
        for (int64_t ce = 0; ce < pb.channels * pb.entities; ++ce) {
          const bool s = sel[ce % pb.entities];
          for (int64_t f = 0; f < pb.features; ++f) {
            const int64_t el = ce * pb.features + f;
            o[ce * fo + f] = s ? xi[el] + nz[el] : xi[el];
          }
        }
      }
      write_indicator(pb, sel.data(), o);
    }
  }
}

template <class T>
void hierarchical_flip_cpu(const T* x, T* out, const HierProblem& pb, double p_plus, double p_minus) {
  const int64_t dim = pb.in_dim();
  const int64_t odim = pb.out_dim();
  const int64_t rows = pb.inputs * pb.samples;
  const int64_t fo = pb.features + pb.ind_feature;
  const int64_t chunks = (pb.features + hierarchical::kFlipChunk - 1) / hierarchical::kFlipChunk;
  const uint64_t minus_thr = hierarchical::flip_threshold64(p_minus);
  const bool minus_all = !(p_minus < 1.0);
  const double log1m_plus = std::log1p(-p_plus);
  const bool plus_all = !(p_plus < 1.0), plus_none = !(p_plus > 0.0);
  const philox::Key key = philox::make_key(pb.seed, pb.role);
#pragma omp parallel if (run_parallel(rows, dim))
  {
    std::vector<uint8_t> sel(static_cast<size_t>(pb.entities));
#pragma omp for schedule(static)
    for (int64_t row = 0; row < rows; ++row) {
      const auto [i, sample, input] = row_ids(pb, row);
      const T* xi = x + i * dim;
      T* o = out + row * odim;
      draw_selection(pb, key, sample, input, sel.data());
      for (int64_t e = 0; e < pb.entities; ++e) {
        const T* xr = xi + e * pb.features;
        T* orow = o + e * fo;
        for (int64_t f = 0; f < pb.features; ++f) orow[f] = xr[f];
        if (!sel[e]) continue;
        for (int64_t ch = 0; ch < chunks; ++ch) {
          const int64_t c0 = ch * hierarchical::kFlipChunk;
          const int64_t c1 = c0 + hierarchical::kFlipChunk < pb.features ? c0 + hierarchical::kFlipChunk : pb.features;
          sampling::ElementStream rng(key, static_cast<uint32_t>(e * chunks + ch), sample, input);
          hierarchical::flip_chunk(xr, orow, c0, c1, rng, minus_thr, minus_all, log1m_plus, plus_all, plus_none);
        }
      }
      write_indicator(pb, sel.data(), o);
    }
  }
}

template void hierarchical_gaussian_cpu<float>(const float*, float*, const HierProblem&, float);
template void hierarchical_gaussian_cpu<double>(const double*, double*, const HierProblem&, double);
template void hierarchical_flip_cpu<float>(const float*, float*, const HierProblem&, double, double);
template void hierarchical_flip_cpu<double>(const double*, double*, const HierProblem&, double, double);

}  // namespace smoothcert::noise
