import io

import pandas as pd
import pytest

from sa_lib.data import partner_data


def test_load_premises_from_lon_lat_reprojects():
    p = partner_data.load_premises(
        io.StringIO("id,longitude,latitude,synthetic\nA,-0.1852,52.3301,True\n")
    )
    assert p.crs.to_epsg() == 27700
    assert 520000 < p.geometry.x.iloc[0] < 530000
    assert partner_data.is_synthetic(p)


def test_load_premises_errors():
    with pytest.raises(ValueError, match="has no coordinates"):
        partner_data.load_premises(io.StringIO("id,x,y\nA,1,2\n"))
    with pytest.raises(ValueError, match="line 3: missing easting/northing"):
        partner_data.load_premises(io.StringIO("id,easting,northing\nA,1,2\nB,,3\n"))
    with pytest.raises(ValueError, match="does not exist"):
        partner_data.load_premises("/no/such/file.csv")


def test_load_ambulance_validates():
    ok = partner_data.load_ambulance(
        io.StringIO("lsoa21_code,month,assault_callouts\nE01000001,2025-01,3\n")
    )
    assert ok["assault_callouts"].tolist() == [3]
    assert not partner_data.is_synthetic(ok)
    with pytest.raises(ValueError, match="line 2: month '2025-1' is not YYYY-MM"):
        partner_data.load_ambulance(
            io.StringIO("lsoa21_code,month,assault_callouts\nE01000001,2025-1,3\n")
        )
    with pytest.raises(ValueError, match="must not be negative"):
        partner_data.load_ambulance(
            io.StringIO("lsoa21_code,month,assault_callouts\nE01000001,2025-01,-3\n")
        )
    with pytest.raises(ValueError, match="missing required column.*assault_callouts"):
        partner_data.load_ambulance(io.StringIO("lsoa21_code,month\nE01000001,2025-01\n"))


def test_shipped_synthetic_partner_files_are_labelled():
    from sa_lib import config

    d = config.SAMPLE_DIR / "synthetic"
    assert partner_data.is_synthetic(
        partner_data.load_premises(d / "licensed_premises_synthetic.csv")
    )
    amb = partner_data.load_ambulance(d / "ambulance_assault_callouts_synthetic.csv")
    assert amb["synthetic"].all()
    assert isinstance(amb, pd.DataFrame)
